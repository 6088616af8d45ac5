// Placeholder while the Health module is being written (issue 11): replaced by its metrics.
enum HealthMetrics {}
