//! yanglao
pub mod chart;
pub mod io;
pub mod metrics;
pub mod model;
pub mod params;
pub mod summary;
