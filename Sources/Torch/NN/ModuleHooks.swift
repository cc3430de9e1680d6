/// `(module, input) -> replacement input or nil`, run before `forward`.
public typealias ForwardPreHook = (Module, Tensor) -> Tensor?
/// `(module, input, output) -> replacement output or nil`, run after `forward`.
public typealias ForwardHook = (Module, Tensor, Tensor) -> Tensor?
/// `(module, gradOutput) -> replacement gradOutput or nil`, run when the output's gradient is ready.
public typealias BackwardPreHook = (Module, [Tensor?]) -> [Tensor?]?
/// `(module, gradInput, gradOutput) -> replacement gradInput or nil`, run when the input's gradient is ready.
public typealias BackwardHook = (Module, [Tensor?], [Tensor?]) -> [Tensor?]?

/// Hooks that apply to every module, as `torch.nn.modules.module.register_module_forward_*_hook`.
enum GlobalModuleHooks {
    @exclusivity(unchecked) nonisolated(unsafe) static var forwardPre: [(id: Int, fn: ForwardPreHook)] = []
    @exclusivity(unchecked) nonisolated(unsafe) static var forward: [(id: Int, fn: ForwardHook)] = []
    static var any: Bool { !forwardPre.isEmpty || !forward.isEmpty }
}

/// Registers a forward pre-hook on every module, as `register_module_forward_pre_hook`.
@discardableResult
public func registerModuleForwardPreHook(prepend: Bool = false, _ hook: @escaping ForwardPreHook) -> RemovableHandle {
    let id = nextHookID()
    if prepend { GlobalModuleHooks.forwardPre.insert((id, hook), at: 0) } else { GlobalModuleHooks.forwardPre.append((id, hook)) }
    return RemovableHandle { GlobalModuleHooks.forwardPre.removeAll { $0.id == id } }
}

/// Registers a forward hook on every module, as `register_module_forward_hook`.
@discardableResult
public func registerModuleForwardHook(prepend: Bool = false, _ hook: @escaping ForwardHook) -> RemovableHandle {
    let id = nextHookID()
    if prepend { GlobalModuleHooks.forward.insert((id, hook), at: 0) } else { GlobalModuleHooks.forward.append((id, hook)) }
    return RemovableHandle { GlobalModuleHooks.forward.removeAll { $0.id == id } }
}

/// Gradients passed between the two hook nodes of one module call.
private final class BackwardHookState {
    var gradOutput: Tensor?
}

extension Module {
    /// Registers a hook run before `forward`; it may return a replacement input.
    ///
    /// ```swift
    /// fc.registerForwardPreHook { module, input in print("entering"); return nil }
    /// ```
    @discardableResult
    public func registerForwardPreHook(prepend: Bool = false, _ hook: @escaping ForwardPreHook) -> RemovableHandle {
        let id = nextHookID()
        if prepend { forwardPreHooks.insert((id, hook), at: 0) } else { forwardPreHooks.append((id, hook)) }
        return RemovableHandle { [weak self] in self?.forwardPreHooks.removeAll { $0.id == id } }
    }

    /// Registers a hook run after `forward`; it may return a replacement output.
    @discardableResult
    public func registerForwardHook(prepend: Bool = false, _ hook: @escaping ForwardHook) -> RemovableHandle {
        let id = nextHookID()
        if prepend { forwardHooks.insert((id, hook), at: 0) } else { forwardHooks.append((id, hook)) }
        return RemovableHandle { [weak self] in self?.forwardHooks.removeAll { $0.id == id } }
    }

    /// Registers a hook that sees (and may replace) the gradient of the module's output.
    @discardableResult
    public func registerFullBackwardPreHook(prepend: Bool = false, _ hook: @escaping BackwardPreHook) -> RemovableHandle {
        let id = nextHookID()
        if prepend { backwardPreHooks.insert((id, hook), at: 0) } else { backwardPreHooks.append((id, hook)) }
        return RemovableHandle { [weak self] in self?.backwardPreHooks.removeAll { $0.id == id } }
    }

    /// Registers a hook that sees the gradients of the module's input and output and may
    /// replace the input's gradient, as `register_full_backward_hook`.
    @discardableResult
    public func registerFullBackwardHook(prepend: Bool = false, _ hook: @escaping BackwardHook) -> RemovableHandle {
        let id = nextHookID()
        if prepend { backwardHooks.insert((id, hook), at: 0) } else { backwardHooks.append((id, hook)) }
        return RemovableHandle { [weak self] in self?.backwardHooks.removeAll { $0.id == id } }
    }

    /// The hooked call path, in the order of PyTorch's `_call_impl`.
    func callWithHooks(_ input: Tensor) -> Tensor {
        var x = input
        for hook in GlobalModuleHooks.forwardPre + forwardPreHooks {
            if let replaced = hook.fn(self, x) { x = replaced }
        }
        let wantsBackwardHooks = GradMode.isEnabled && (!backwardHooks.isEmpty || !backwardPreHooks.isEmpty)
        let state = BackwardHookState()
        let inputHasGrad = x.requiresGradFlag
        if wantsBackwardHooks && inputHasGrad {
            // An identity node on the input: its backward sees the module's gradInput.
            x = Tensor.record("BackwardHookFunctionBackward", x.detach(), inputs: [x]) { [self] g in
                var gradInput: [Tensor?] = [g]
                for hook in backwardHooks {
                    if let replaced = hook.fn(self, gradInput, [state.gradOutput]) { gradInput = replaced }
                }
                return [gradInput.first ?? nil]
            }
        }
        var out = forward(x)
        for hook in GlobalModuleHooks.forward + forwardHooks {
            if let replaced = hook.fn(self, x, out) { out = replaced }
        }
        if wantsBackwardHooks && out.requiresGradFlag {
            // An identity node on the output: its backward sees (and may replace) gradOutput.
            out = Tensor.record("BackwardHookFunctionBackward", out.detach(), inputs: [out]) { [self] g in
                var gradOutput: [Tensor?] = [g]
                for hook in backwardPreHooks {
                    if let replaced = hook.fn(self, gradOutput) { gradOutput = replaced }
                }
                state.gradOutput = gradOutput.first ?? nil
                if !inputHasGrad {
                    for hook in backwardHooks { _ = hook.fn(self, [nil], gradOutput) }
                }
                return [gradOutput.first ?? nil]
            }
        }
        return out
    }
}
