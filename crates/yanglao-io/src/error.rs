//! The error that stops a run (exit 2), shared by the pipeline, the sinks and the
//! temporary copies (its own module, so that they need not import each other for it).

/// A problem that stops the run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum FatalError {
    /// A file cannot be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The header cannot be used.
    #[error("{path}: {message}")]
    Header {
        /// File.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The CSV itself is broken.
    #[error("{path}: {message}")]
    Csv {
        /// File.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// `--strict` met an error row.
    #[error("--strict: {0}")]
    Strict(String),
}
