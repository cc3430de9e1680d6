/// Why `loadStateDict` refused a state dict; the message is PyTorch's.
public struct StateDictError: Error, CustomStringConvertible, Sendable {
    public let moduleName: String
    public let missingKeys: [String]
    public let unexpectedKeys: [String]
    /// `(key, shape in checkpoint, shape in model)`.
    public let sizeMismatches: [(key: String, checkpoint: [Int], model: [Int])]

    public var description: String {
        func size(_ s: [Int]) -> String { "torch.Size([\(s.map(String.init).joined(separator: ", "))])" }
        var messages: [String] = []
        if !missingKeys.isEmpty {
            messages.append("Missing key(s) in state_dict: \(missingKeys.map { "\"\($0)\"" }.joined(separator: ", ")). ")
        }
        if !unexpectedKeys.isEmpty {
            messages.append("Unexpected key(s) in state_dict: \(unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ")). ")
        }
        for m in sizeMismatches {
            messages.append("size mismatch for \(m.key): copying a param with shape \(size(m.checkpoint)) from checkpoint, the shape in current model is \(size(m.model)).")
        }
        return "Error(s) in loading state_dict for \(moduleName):\n\t" + messages.joined(separator: "\n\t")
    }
}

extension Module {
    /// Parameters and buffers by dotted name, in module order, as an ordered list.
    public func namedStateDict() -> [(key: String, value: Tensor)] {
        namedParameters().map { ($0.name, $0.parameter.detach()) } + namedBuffers().map { ($0.name, $0.buffer.detach()) }
    }

    /// Parameters and buffers by dotted name (`conv1.weight`, `bn.running_mean`), as `state_dict()`.
    /// The tensors share memory with the module (detached), as in PyTorch.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedStateDict().map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Copies values from `stateDict` into the parameters and buffers, as `load_state_dict`.
    /// Every problem (missing, unexpected, mis-shaped keys) is reported at once, and nothing is
    /// changed unless the whole dict fits.
    public func loadStateDict(_ stateDict: [String: Tensor], strict: Bool = true) throws {
        let own = namedStateDict()
        let ownKeys = Set(own.map(\.key))
        let missing = strict ? own.map(\.key).filter { stateDict[$0] == nil } : []
        let unexpected = strict ? stateDict.keys.filter { !ownKeys.contains($0) }.sorted() : []
        var mismatches: [(key: String, checkpoint: [Int], model: [Int])] = []
        for (key, value) in own {
            if let incoming = stateDict[key], incoming.shape != value.shape {
                mismatches.append((key, incoming.shape, value.shape))
            }
        }
        if !missing.isEmpty || !unexpected.isEmpty || !mismatches.isEmpty {
            throw StateDictError(moduleName: typeName, missingKeys: missing, unexpectedKeys: unexpected, sizeMismatches: mismatches)
        }
        withNoGrad {
            for (key, value) in own {
                if let incoming = stateDict[key] { value.copy_(incoming) }
            }
        }
    }
}
