//! Input and output at the edges: scenario and segments CSVs in, results and paths CSVs
//! out, through a bounded, order-preserving parallel pipeline; and the `summary` of a
//! results file. Built on yanglao-core (parameters, model, metrics).
//!
//! `unsafe` is denied in the whole crate except one named module: `cleanup::imp` (the
//! signal handler that removes temporary files).
#![deny(unsafe_code)]

pub mod cleanup;
pub mod encoding;
pub mod error;
pub mod explain;
pub mod gen;
pub mod lenient;
pub mod paths;
pub mod pipeline;
pub mod reform;
pub mod results;
pub mod scenario;
pub mod seek;
pub mod sink;
pub mod spool;
pub mod summary;

// The core's modules, under the paths the io code names them by (`crate::model::…`).
pub(crate) use yanglao_core::{metrics, model, params};
