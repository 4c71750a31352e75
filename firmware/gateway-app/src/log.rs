//! Logging through defmt, or nothing (host tests).

macro_rules! make_log_macro {
    ($name:ident, $defmt:ident, $d:tt) => {
        macro_rules! $name {
                                                    ($d fmt:literal $d(, $d arg:expr)* $d(,)?) => {{
                                                        #[cfg(feature = "defmt")]
                                                        defmt::$defmt!($d fmt $d(, $d arg)*);
                                                        #[cfg(not(feature = "defmt"))]
                                                        { $d( let _ = &$d arg; )* }
                                                    }};
                                                }
        pub(crate) use $name;
    };
}

make_log_macro!(debug, debug, $);
make_log_macro!(info, info, $);
make_log_macro!(warning, warn, $);
make_log_macro!(error, error, $);
