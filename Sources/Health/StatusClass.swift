/// The `status_class` label of an API call: `2xx` … `5xx`, or `error` when no answer came.
public enum StatusClass {
    /// Every value the label takes.
    public static let all = ["2xx", "3xx", "4xx", "5xx", "error"]

    /// The class of `status`; nil (no answer) and statuses outside 200–599 are `error`.
    public static func of(_ status: Int?) -> String {
        guard let status, (200..<600).contains(status) else { return "error" }
        return "\(status / 100)xx"
    }
}
