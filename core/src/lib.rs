//! upticket (skeleton; filled in by the core work)
#![no_std]
