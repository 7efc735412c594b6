//! yanglao-core: the pure part of yanglao. Parameters as data (`params`: every value with
//! its source and provenance), the projection of one scenario to its pension (`model`) and
//! the analyst metrics of a result (`metrics`). Layered params → model → metrics; no CSV,
//! no output files.
//!
//! `unsafe` is denied in the whole crate except two named modules, each allowing it for
//! one reason: `metrics::wide` (AVX2 vector loops; left out by the `portable` feature) and
//! `params::time::spare` (writing digits into a string's spare capacity).
#![deny(unsafe_code)]
pub mod metrics;
pub mod model;
pub mod params;
