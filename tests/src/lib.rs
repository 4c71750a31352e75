//! upticket-tests (skeleton)
