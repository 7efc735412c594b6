//! Input and output at the edges: scenario and segments CSVs in, results and paths CSVs
//! out, through a bounded, order-preserving parallel pipeline.

pub mod cleanup;
pub mod encoding;
pub mod gen;
pub mod lenient;
pub mod pipeline;
pub mod results;
pub mod scenario;
pub mod sink;
pub mod spool;
