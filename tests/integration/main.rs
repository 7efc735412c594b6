//! Integration tests: one binary, one module per area; each test runs the real executable
//! in its own scratch folder.
#![forbid(unsafe_code)]

mod c27;
mod chart;
mod chart_cli;
mod cities;
mod cli;
mod common;
mod defects;
mod errors;
mod explain;
mod golden;
mod hostile;
mod metrics;
mod person;
mod properties;
mod provinces;
mod reform;
mod resident;
mod seek;
mod segments;
mod summary;
mod transitional;
