/// The EspoCRM client's namespace: entity models, credentials and filters live inside it, so that
/// `Espo.Task` does not hide Swift's `Task`.
public enum Espo {}
