#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-thread replacement for the default generator, set by ``withGenerator(_:_:)``.
enum GeneratorScope {
    nonisolated(unsafe) private static var key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    static var override: Generator? {
        get { pthread_getspecific(key).map { Unmanaged<Generator>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(key, newValue.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) }) }
    }
}

extension Generator {
    /// The generator random operations use when none is passed: the one installed on this
    /// thread by ``withGenerator(_:_:)``, otherwise ``Generator/default``.
    public static var current: Generator { GeneratorScope.override ?? .default }
}

/// Runs `body` with `generator` standing in for the default generator on this thread, so a
/// whole program section (initialising a network, shuffling a loader, dropout) draws from a
/// private stream that other threads cannot disturb.
///
/// ```swift
/// let g = Generator(seed: 50)
/// let net = withGenerator(g) { Network() }   // the same weights as manualSeed(50); Network()
/// ```
@discardableResult
public func withGenerator<R>(_ generator: Generator, _ body: () throws -> R) rethrows -> R {
    let previous = GeneratorScope.override
    GeneratorScope.override = generator
    // `generator` stays alive for the scope: the thread-local slot holds it unretained.
    defer { GeneratorScope.override = previous; withExtendedLifetime(generator) {} }
    return try body()
}
