/// Nova's `extra_specs_ops.match`: whether a host's `value` satisfies an extra spec `requirement`.
///
/// A requirement is an operator and operands separated by spaces: `= 4` (at least 4), `== 4`, `!= 4`, `>= 4`, `<= 4`
/// (numbers), `s== x`, `s!= x`, `s< x`, `s<= x`, `s> x`, `s>= x` (strings), `<in> x` (substring), `<all-in> x y`
/// (every word a substring), `<or> x <or> y` (equal to one). Anything else must equal the value exactly.
/// A numeric operator with a value that is not a number does not match.
func extraSpecMatches(_ value: String, _ requirement: String) -> Bool {
    var words = requirement.split(whereSeparator: \.isWhitespace)[...]
    guard let op = words.popFirst() else { return value == requirement }
    if op == "<or>" {
        while let word = words.popFirst() {
            if word == value { return true }
            guard words.popFirst() != nil else { break }  // the next `<or>`
        }
        return false
    }
    guard let operand = words.first else {
        return isOperator(op) ? false : value == requirement
    }
    switch op {
    case "=": return numbers(value, operand).map { $0 >= $1 } ?? false
    case "==": return numbers(value, operand).map { $0 == $1 } ?? false
    case "!=": return numbers(value, operand).map { $0 != $1 } ?? false
    case ">=": return numbers(value, operand).map { $0 >= $1 } ?? false
    case "<=": return numbers(value, operand).map { $0 <= $1 } ?? false
    case "s==": return value == operand
    case "s!=": return value != operand
    case "s<": return value < operand
    case "s<=": return value <= operand
    case "s>": return value > operand
    case "s>=": return value >= operand
    case "<in>": return value.contains(operand)
    case "<all-in>": return words.allSatisfy { value.contains($0) }
    default: return value == requirement
    }
}

private func isOperator(_ word: Substring) -> Bool {
    ["=", "==", "!=", ">=", "<=", "s==", "s!=", "s<", "s<=", "s>", "s>=", "<in>", "<all-in>"].contains(word)
}

private func numbers(_ value: String, _ operand: Substring) -> (Double, Double)? {
    guard let lhs = Double(value), let rhs = Double(operand) else { return nil }
    return (lhs, rhs)
}
