#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread autograd switch, as PyTorch's thread-local grad mode.
enum GradMode {
    // A pthread key holds "grad disabled" as a non-nil pointer; threads start enabled.
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    static var isEnabled: Bool {
        @inline(__always) get { pthread_getspecific(key) == nil }
        set { pthread_setspecific(key, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
}

/// Whether operations are being recorded for autograd on this thread, as `torch.is_grad_enabled()`.
public var isGradEnabled: Bool { GradMode.isEnabled }

/// Runs `body` without recording operations, as `with torch.no_grad():`.
///
/// ```swift
/// withNoGrad { w.sub_(w.grad! * 0.1) }
/// ```
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = previous }
    return try body()
}

/// Runs `body` with recording on, as `with torch.enable_grad():`.
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = previous }
    return try body()
}
