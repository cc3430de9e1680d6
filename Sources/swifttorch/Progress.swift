import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar redrawn in place on a terminal, or a few plain lines otherwise.
final class ProgressBar {
    private let total: Int
    private let label: String
    private let start = Date()
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastPlain = -1

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    /// Shows `done` of `total` batches with the running loss and accuracy.
    func update(done: Int, loss: Double, accuracy: Double) {
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let stats = String(format: "loss %.4f  acc %.4f  %@ elapsed, ETA %@", loss, accuracy,
                           ProgressBar.clock(elapsed), ProgressBar.clock(eta))
        if isTerminal {
            let width = 28
            let filled = width * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            print("\r\(label) \(bar) \(done)/\(total)  \(stats)", terminator: "")
            fflush(nil)
            if done == total { print("") }
        } else {
            // Plain output: about ten lines an epoch, so logs stay readable.
            let step = done * 10 / total
            if step != lastPlain || done == total {
                lastPlain = step
                print("\(label) \(done)/\(total)  \(stats)")
            }
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
