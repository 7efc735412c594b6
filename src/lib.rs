//! yanglao: the library behind the `yanglao` command, as one facade over the workspace's
//! crates, under the paths the command, the tests and the benches use:
//! `params`, `model` and `metrics` from yanglao-core (pure: no CSV, no output files),
//! `io` (and its `summary`, `explain`, `seek` and `reform`) from yanglao-io, `chart` from
//! yanglao-chart; and its own `params_cmd`, the printing of `yanglao params`.
//!
//! `unsafe` is allowed in three named modules only, one reason each: `metrics::wide`
//! (AVX2 vector loops; left out by the `portable` feature), `params::time::spare` (writing
//! digits into a string's spare capacity) and `io::cleanup::imp` (the signal handler that
//! removes temporary files); this crate forbids it.
#![forbid(unsafe_code)]
pub use yanglao_chart as chart;
pub use yanglao_core::{metrics, model, params};
pub use yanglao_io as io;
pub use yanglao_io::{explain, reform, seek, summary};

/// `yanglao params`: the command layer's own module (it prints the parameters, nothing else).
pub mod params_cmd;
