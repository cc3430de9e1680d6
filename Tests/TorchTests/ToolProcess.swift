import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the built `swifttorch` executable as a child process, for what only a real process shows
/// (signals, exit codes). The binary sits beside the test bundle in the build products folder
/// (`.build/debug/swifttorch`); `$SWIFTTORCH_BIN` overrides it.
enum ToolProcess {
    static let binary: URL? = {
        if let path = ProcessInfo.processInfo.environment["SWIFTTORCH_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // The test target's resource bundle lives in the products folder; so does the tool.
        var folders = [Bundle.module.bundleURL.deletingLastPathComponent()]
        #if os(macOS)
        folders += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        #else
        folders.append(Bundle.main.bundleURL)
        #endif
        for folder in folders {
            let url = folder.appendingPathComponent("swifttorch")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: url.path) {
                return url
            }
        }
        return nil
    }()

    static var available: Bool { binary != nil }

    /// A started child whose stdout and stderr go to files (a pipe left undrained could block it).
    final class Child {
        let process = Process()
        let stdoutURL: URL
        let stderrURL: URL

        init(_ arguments: [String], workingDirectory: URL? = nil) throws {
            let base = NSTemporaryDirectory() + "swifttorch-child-\(UUID().uuidString)"
            stdoutURL = URL(fileURLWithPath: base + ".out")
            stderrURL = URL(fileURLWithPath: base + ".err")
            _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
            process.executableURL = binary
            process.arguments = arguments
            if let workingDirectory { process.currentDirectoryURL = workingDirectory }
            process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
            process.standardError = try FileHandle(forWritingTo: stderrURL)
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }

        var pid: pid_t { process.processIdentifier }
        var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

        func signal(_ sig: Int32) { kill(pid, sig) }

        /// Waits for the child to end; false (and the child killed) when it outlives `seconds`.
        @discardableResult
        func wait(seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                kill(pid, SIGKILL)
                process.waitUntilExit()
                return false
            }
            process.waitUntilExit()
            return true
        }
    }

    /// Runs to completion and returns the exit status and output.
    static func run(_ arguments: [String], timeout: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try Child(arguments)
        let finished = child.wait(seconds: timeout)
        return (finished ? child.process.terminationStatus : -1, child.stdout, child.stderr)
    }

    /// Polls `condition` every few milliseconds until it holds or `seconds` pass.
    static func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }
}
