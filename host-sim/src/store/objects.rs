//! Objects on disk: a directory per bucket; each object is `<sha256(key)>.data` plus a
//! `<sha256(key)>.json` with its key, Content-Type, ETag and user metadata. Uploads stream into
//! `.incoming/` and are renamed into their bucket only once the request has been accepted.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use md5::{Digest as _, Md5};
use serde_json::json;
use sha2::Sha256;

use super::signature::hex;

/// An object as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// The object's bytes.
    pub data: Vec<u8>,
    /// Content-Type recorded at upload.
    pub content_type: String,
    /// Quoted hex MD5 of the data, as in the `ETag` header.
    pub etag: String,
    /// User metadata (`x-amz-meta-*` / `x-oss-meta-*`), names lower-case, in form order.
    pub metadata: Vec<(String, String)>,
}

/// What is recorded beside an object's bytes.
pub struct ObjectMeta<'a> {
    /// Content-Type to serve it with.
    pub content_type: &'a str,
    /// User metadata, names lower-case.
    pub metadata: &'a [(String, String)],
}

/// Whether `name` is a bucket name the store accepts: 3..=63 of `a-z 0-9 . -`, first and last
/// alphanumeric, never `.`/`..`-like (so it is always a safe directory name).
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// The on-disk object store.
#[derive(Debug)]
pub struct ObjectStore {
    root: PathBuf,
    buckets: Vec<String>,
    next_upload: AtomicU64,
}

/// An upload in progress: a temporary file, removed on drop unless committed.
pub struct Incoming {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    md5: Md5,
}

impl Write for Incoming {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| io::Error::other("upload already finished"))?;
        let n = writer.write(buf)?;
        self.md5.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl Incoming {
    /// Quoted hex MD5 of everything written so far.
    pub fn etag(&self) -> String {
        format!("\"{}\"", hex(&self.md5.clone().finalize()))
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        self.writer = None;
        // Already renamed away when committed; otherwise the rejected bytes go.
        let _ = fs::remove_file(&self.path);
    }
}

impl ObjectStore {
    /// Opens (creating) `root` with one directory per bucket.
    pub fn open(root: &Path, buckets: &[String]) -> io::Result<Self> {
        for bucket in buckets {
            if !valid_bucket_name(bucket) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("invalid bucket name {bucket:?}"),
                ));
            }
            fs::create_dir_all(root.join(bucket))?;
        }
        fs::create_dir_all(root.join(".incoming"))?;
        Ok(Self {
            root: root.to_owned(),
            buckets: buckets.to_vec(),
            next_upload: AtomicU64::new(0),
        })
    }

    /// The configured buckets.
    pub fn buckets(&self) -> &[String] {
        &self.buckets
    }

    /// Whether `bucket` is one of the configured buckets.
    pub fn has_bucket(&self, bucket: &str) -> bool {
        self.buckets.iter().any(|b| b == bucket)
    }

    /// Starts an upload into a fresh temporary file.
    pub fn incoming(&self) -> io::Result<Incoming> {
        let n = self.next_upload.fetch_add(1, Ordering::Relaxed);
        let path = self
            .root
            .join(".incoming")
            .join(format!("{}-{n}.part", std::process::id()));
        let file = File::create(&path)?;
        Ok(Incoming {
            path,
            writer: Some(BufWriter::new(file)),
            md5: Md5::new(),
        })
    }

    fn paths(&self, bucket: &str, key: &str) -> (PathBuf, PathBuf) {
        let name = hex(&Sha256::digest(key.as_bytes()));
        let dir = self.root.join(bucket);
        (
            dir.join(format!("{name}.data")),
            dir.join(format!("{name}.json")),
        )
    }

    /// Whether `bucket` holds `key`.
    pub fn exists(&self, bucket: &str, key: &str) -> bool {
        self.has_bucket(bucket) && self.paths(bucket, key).0.is_file()
    }

    /// Moves a finished upload into `bucket` under `key`, replacing any previous object.
    pub fn commit(
        &self,
        mut upload: Incoming,
        bucket: &str,
        key: &str,
        meta: &ObjectMeta<'_>,
    ) -> io::Result<String> {
        let etag = upload.etag();
        if let Some(mut writer) = upload.writer.take() {
            writer.flush()?;
            writer.get_ref().sync_all()?;
        }
        let (data, info) = self.paths(bucket, key);
        let record = json!({
            "key": key,
            "content_type": meta.content_type,
            "etag": etag,
            "metadata": meta.metadata,
        });
        let tmp_info = info.with_extension("json.tmp");
        fs::write(&tmp_info, record.to_string())?;
        fs::rename(&upload.path, &data)?;
        fs::rename(&tmp_info, &info)?;
        Ok(etag)
    }

    /// Reads `key` from `bucket`, `None` when there is no such object.
    pub fn get(&self, bucket: &str, key: &str) -> io::Result<Option<StoredObject>> {
        if !self.has_bucket(bucket) {
            return Ok(None);
        }
        let (data, info) = self.paths(bucket, key);
        let (data, info) = match (fs::read(&data), fs::read(&info)) {
            (Ok(d), Ok(i)) => (d, i),
            (Err(e), _) | (_, Err(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let record: serde_json::Value = serde_json::from_slice(&info).map_err(io::Error::other)?;
        let text = |name: &str| record[name].as_str().unwrap_or_default().to_owned();
        let metadata = record["metadata"]
            .as_array()
            .map(|pairs| {
                pairs
                    .iter()
                    .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(StoredObject {
            data,
            content_type: text("content_type"),
            etag: text("etag"),
            metadata,
        }))
    }
}
