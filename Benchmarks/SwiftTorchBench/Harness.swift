#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Timing, statistics and JSON lines. Benchmarks/pytorch_twin.py implements the same rules, so
// the two programs' numbers are comparable line by line.

/// How long to measure: `--quick` shrinks everything for a smoke run.
struct TimingOptions {
    /// Seconds one timed sample should last; fast workloads repeat the call `inner` times.
    var targetSample = 0.05
    /// Timed samples per workload (the median is reported).
    var repetitions = 7
    /// Samples for workloads whose single call takes longer than `slowCall` seconds.
    var slowRepetitions = 3
    var slowCall = 0.1

    static let quick = TimingOptions(targetSample: 0.005, repetitions: 3, slowRepetitions: 1, slowCall: 0.02)
}

/// The result of measuring one workload: seconds per call.
struct Measurement {
    var median: Double
    var min: Double
    var max: Double
    var repetitions: Int
    var inner: Int
    /// Median CPU seconds per call, all threads of the process together: on a loaded machine
    /// this moves less than wall time (and with threads it also counts their spinning).
    var cpuMedian: Double
}

@inline(__always)
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// CPU time of the whole process (all threads), in seconds.
@inline(__always)
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Keeps a value observable so the optimiser cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Calibrates how many calls fill one sample (this also warms up caches, pools and lazy state),
/// then takes the samples. Every sample runs `inner` calls; the result is seconds per call.
func measure(_ options: TimingOptions, _ body: () -> Void) -> Measurement {
    // One warm-up call first (lazy initialisation, first-touch page faults), then calibration:
    // 1, 4, 16, ... calls until a batch lasts a fifth of the target.
    body()
    var n = 1
    var elapsed = 0.0
    while true {
        let t0 = now()
        for _ in 0..<n { body() }
        elapsed = now() - t0
        if elapsed >= options.targetSample / 5 || n >= 1 << 24 { break }
        n *= 4
    }
    let perCall = elapsed / Double(n)
    let inner = Swift.max(1, Int((options.targetSample / perCall).rounded(.up)))
    let reps = perCall > options.slowCall ? options.slowRepetitions : options.repetitions
    var samples: [Double] = [], cpu: [Double] = []
    for _ in 0..<reps {
        let c0 = cpuNow(), t0 = now()
        for _ in 0..<inner { body() }
        let t1 = now(), c1 = cpuNow()
        samples.append((t1 - t0) / Double(inner))
        cpu.append((c1 - c0) / Double(inner))
    }
    samples.sort()
    cpu.sort()
    return Measurement(median: median(samples), min: samples.first!, max: samples.last!, repetitions: reps, inner: inner,
                       cpuMedian: median(cpu))
}

func median(_ sorted: [Double]) -> Double {
    let c = sorted.count
    return c % 2 == 1 ? sorted[c / 2] : (sorted[c / 2 - 1] + sorted[c / 2]) / 2
}

/// A JSON value for the output lines (keys keep their insertion order).
enum JSONValue {
    case string(String)
    case number(Double)
    case int(Int)

    var text: String {
        switch self {
        case .string(let s):
            var out = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(c)
                }
            }
            return out + "\""
        case .number(let d):
            // JSON has no NaN or infinity.
            return d.isFinite ? "\(d)" : "null"
        case .int(let i):
            return "\(i)"
        }
    }
}

/// Prints one JSON object on its own line and flushes, so a crash keeps the earlier lines.
func emit(_ fields: [(String, JSONValue)]) {
    let body = fields.map { "\(JSONValue.string($0.0).text):\($0.1.text)" }.joined(separator: ",")
    print("{" + body + "}")
    fflush(nil)  // all streams: stdout itself is a global Swift 6 will not touch
}

/// A field of /proc/self/status in MiB (VmHWM: peak resident set, VmRSS: current), or nil
/// where /proc is missing (macOS).
func procStatusMiB(_ field: String) -> Double? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix(field + ":") else { continue }
        let digits = text.dropFirst(field.count + 1).filter { $0.isNumber }
        return Double(String(digits)).map { $0 / 1024 }
    }
    return nil
}

/// Resets VmHWM to the current RSS (Linux 4.0+), so a later peak belongs to what ran after.
func resetPeakRSS() {
    guard let file = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", file)
    fclose(file)
}

/// A progress line on standard error.
func note(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
