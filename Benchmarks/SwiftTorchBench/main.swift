import Torch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// SwiftTorchBench: named workloads timed with warm-up and several runs, one JSON line each.
// Benchmarks/pytorch_twin.py runs the same workloads in PyTorch; Scripts/bench-vs-pytorch
// drives both and prints the comparison.
//
//   swift run -c release SwiftTorchBench --threads 2 [--quick] [--only sgemm,cnn] [--list]
//
// Output fields: impl, workload, threads, median_s / min_s / max_s (seconds per call), reps
// (timed samples), inner (calls per sample), gflops (at the median, where FLOPs are defined),
// check (a value that must not change with the thread count), and for the epoch the images,
// accuracy and peak_rss_mib (VmHWM: the whole process, data included).

let usage = """
    usage: SwiftTorchBench [--threads N] [--quick] [--only NAME[,NAME...]] [--list]
                           [--data DIR] [--epoch-images N]
      --threads N        kernel threads (setNumThreads); default: all cores
      --quick            short samples, few repetitions, a 1,000-image epoch: a smoke run
      --only NAMES       workloads whose name equals or starts with one of NAMES
                         (the epoch is named epoch_fashion_mnist)
      --list             print the workload names and exit
      --data DIR         Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)
      --epoch-images N   train the epoch on the first N images only
      --profile N        no timing: run each selected workload N times inside profileLoop,
                         for valgrind --tool=callgrind --toggle-collect='*profileLoop*' or perf
    """

struct Config {
    var threads = getNumThreads()
    var options = TimingOptions()
    var quick = false
    var filters: [String] = []
    var listOnly = false
    var dataDirectory = "/usr/share/datasets/fashion-mnist"
    var epochImages: Int?
    var profileCalls: Int?

    init(_ args: [String]) {
        var arguments = args[...]
        func value(_ flag: String) -> String {
            guard let v = arguments.popFirst() else { note("\(flag) needs a value\n\(usage)"); exit(2) }
            return v
        }
        func positive(_ flag: String) -> Int {
            guard let n = Int(value(flag)), n >= 1 else { note("\(flag) needs a positive integer"); exit(2) }
            return n
        }
        while let arg = arguments.popFirst() {
            switch arg {
            case "--threads": threads = positive(arg)
            case "--quick": quick = true; options = .quick
            case "--only": filters += value(arg).split(separator: ",").map(String.init)
            case "--list": listOnly = true
            case "--data": dataDirectory = value(arg)
            case "--epoch-images": epochImages = positive(arg)
            case "--profile": profileCalls = positive(arg)
            case "-h", "--help": print(usage); exit(0)
            default: note("unknown argument \(arg)\n\(usage)"); exit(2)
            }
        }
    }

    func selected(_ name: String) -> Bool {
        filters.isEmpty || filters.contains { name == $0 || name.hasPrefix($0) }
    }
}

func runBenchmarks(_ config: Config) {
    let epochName = "epoch_fashion_mnist"
    let workloads = allWorkloads()
    if config.listOnly {
        for w in workloads { print(w.name) }
        print(epochName)
        return
    }
    let threads = config.threads
    setNumThreads(threads)
    for w in workloads where config.selected(w.name) {
        note("swifttorch \(w.name) (threads \(threads))")
        let body = w.make()
        if let calls = config.profileCalls {
            body.run()  // warm-up, outside the profiled loop
            profileLoop(calls, body.run)
            continue
        }
        let check = body.check?()
        let m = measure(config.options, body.run)
        var fields: [(String, JSONValue)] = [
            ("impl", .string("swifttorch")), ("workload", .string(w.name)), ("threads", .int(threads)),
            ("median_s", .number(m.median)), ("min_s", .number(m.min)), ("max_s", .number(m.max)),
            ("reps", .int(m.repetitions)), ("inner", .int(m.inner)), ("cpu_s", .number(m.cpuMedian)),
        ]
        if let flops = w.flops { fields.append(("gflops", .number(flops / m.median * 1e-9))) }
        if let check { fields.append(("check", .number(check))) }
        emit(fields)
    }
    if config.selected(epochName) {
        note("swifttorch \(epochName) (threads \(threads))")
        resetPeakRSS()
        do {
            try runEpoch(dataDirectory: config.dataDirectory, limit: config.epochImages ?? (config.quick ? 1000 : nil),
                         threads: threads)
        } catch {
            note("epoch: \(error)")
            exit(1)
        }
    }
}

/// The loop a profiler should look at: `calls` runs of one workload, nothing else.
@inline(never)
func profileLoop(_ calls: Int, _ body: () -> Void) {
    for _ in 0..<calls { body() }
}

runBenchmarks(Config(Array(CommandLine.arguments.dropFirst())))
