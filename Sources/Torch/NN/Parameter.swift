/// A tensor that is a module parameter: it requires grad and is found by `Module.parameters()`.
///
/// ```swift
/// fc.weight = Parameter(weightMatrix)
/// print(fc.weight)   // Parameter containing:\ntensor([[1., 2., 3., 4.], ...], requires_grad=True)
/// ```
public final class Parameter: Tensor, @unchecked Sendable {
    /// Wraps `data` (sharing its storage) as a parameter, as `nn.Parameter(data)`.
    public init(_ data: Tensor, requiresGrad: Bool = true) {
        super.init(sharing: data, requiresGrad: false)
        if requiresGrad { requiresGrad_(true) }
    }

    /// `Parameter containing:` followed by the tensor, as PyTorch prints a parameter.
    public override var description: String {
        let values = withNoGrad { formatValues }
        return TensorFormatter.formatParameter(values, shape: shape, dtype: dtype, requiresGrad: requiresGradFlag)
    }
}
