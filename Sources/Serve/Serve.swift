// Placeholder while the Serve module is being written (issue 11).
enum ServePlaceholder {}
