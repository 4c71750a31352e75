// The classic browser upload flow: ticket from the gateway, then a direct form POST to the bucket.
// Camera request signing follows docs/api.md section 2 (UPT1-HMAC-SHA256).
"use strict";

const $ = (id) => document.getElementById(id);
const log = (line) => { $("log").textContent += line + "\n"; };
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
// Shows the outcome as text (never as HTML: error messages may quote what a server sent).
const show = (ok, text) => {
  const p = document.createElement("p");
  p.id = "outcome";
  p.className = ok ? "ok" : "bad";
  p.textContent = text;
  $("result").replaceChildren(p);
};

// The gateway takes file names of at most 64 bytes (docs/api.md section 1) and turns anything but
// A-Z a-z 0-9 . _ - into _; the app-server shapes put the same name after `dir`. So send a name
// it accepts: sanitised, and shortened (keeping a short extension) when it is too long.
const MAX_NAME = 64;
function safeFileName(name) {
  const clean = name.replace(/[^A-Za-z0-9._-]/gu, "_") || "file";
  if (clean.length <= MAX_NAME) return clean;
  const dot = clean.lastIndexOf(".");
  const ext = dot > 0 && clean.length - dot <= 9 ? clean.slice(dot) : "";
  return (clean.slice(0, MAX_NAME - ext.length).replace(/[._-]+$/u, "") || "file") + ext;
}

// Prefill from the fragment, e.g. /#camera=cam-0001&key=... (the demo prints such a link). A
// fragment never leaves the browser, so the camera key is not sent in any request.
const params = new URLSearchParams(location.hash.slice(1));
$("camera").value = params.get("camera") || "";
$("key").value = params.get("key") || "";
if (params.get("shape")) $("shape").value = params.get("shape");

async function signedTicketRequest(camera, keyHex, target, body) {
  const enc = new TextEncoder();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)));
  const bodyHash = hex(await crypto.subtle.digest("SHA-256", enc.encode(body)));
  const toSign = ["UPT1-HMAC-SHA256", "POST", target, camera, timestamp, nonce, bodyHash].join("\n");
  const key = await crypto.subtle.importKey("raw", fromHex(keyHex), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = hex(await crypto.subtle.sign("HMAC", key, enc.encode(toSign)));
  return fetch(target, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Upticket-Camera": camera,
      "X-Upticket-Timestamp": timestamp,
      "X-Upticket-Nonce": nonce,
      "X-Upticket-Signature": signature,
    },
    body,
  });
}

// Turns either ticket shape into [url, ordered fields].
function formFromTicket(ticket, fileName) {
  if (Array.isArray(ticket.fields)) {
    return [ticket.url, ticket.fields];
  }
  // Official OSS app-server shapes (V1: accessid/signature; V4: x_oss_* and signature).
  const key = ticket.dir + fileName;
  const fields = [["key", key], ["policy", ticket.policy]];
  if (ticket.accessid) {
    fields.push(["OSSAccessKeyId", ticket.accessid], ["Signature", ticket.signature]);
  } else {
    fields.push(["x-oss-signature-version", ticket.x_oss_signature_version],
      ["x-oss-credential", ticket.x_oss_credential], ["x-oss-date", ticket.x_oss_date],
      ["x-oss-signature", ticket.signature]);
  }
  if (ticket.security_token) fields.push(["x-oss-security-token", ticket.security_token]);
  if (ticket.callback) fields.push(["callback", ticket.callback]);
  return [ticket.host, fields];
}

async function upload() {
  $("log").textContent = "";
  $("result").replaceChildren();
  const file = $("file").files[0];
  if (!file) { log("Pick a file first."); return; }
  $("upload").disabled = true;
  try {
    const shape = $("shape").value;
    const target = "/v1/tickets" + (shape === "upticket" ? "" : "?shape=" + shape);
    const safeName = safeFileName(file.name);
    const body = JSON.stringify({ name: safeName, size: file.size, content_type: file.type || "application/octet-stream" });
    log("POST " + target + " " + body);
    const resp = await signedTicketRequest($("camera").value.trim(), $("key").value.trim(), target, body);
    const ticket = await resp.json();
    if (!resp.ok) {
      log("gateway: " + resp.status + " " + JSON.stringify(ticket));
      show(false, "Ticket refused: " + resp.status);
      return;
    }
    const [url, fields] = formFromTicket(ticket, safeName);
    log("ticket for " + (ticket.key || ticket.dir + safeName) + ", posting to " + url);
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    form.append("file", file, file.name); // file is always the last field
    const stored = await fetch(url, { method: "POST", body: form });
    const text = await stored.text();
    log("store: " + stored.status + (text ? " " + text : ""));
    const good = stored.status >= 200 && stored.status < 300;
    show(good, (good ? "Uploaded: " : "Upload refused: ") + stored.status);
  } catch (e) {
    log("error: " + e);
    show(false, "Error: " + e);
  } finally {
    $("upload").disabled = false;
  }
}

$("upload").addEventListener("click", upload);
