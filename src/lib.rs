//! yanglao
//!
//! `unsafe` is denied in the whole crate except three named modules, each allowing it for
//! one reason: `metrics::wide` (AVX2 vector loops; left out by the `portable` feature),
//! `params::time::spare` (writing digits into a string's spare capacity) and
//! `io::cleanup::imp` (the signal handler that removes temporary files).
#![deny(unsafe_code)]
pub mod chart;
pub mod explain;
pub mod io;
pub mod metrics;
pub mod model;
pub mod params;
pub mod params_cmd;
pub mod reform;
pub mod seek;
pub mod summary;
