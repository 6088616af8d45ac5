import Emulation
import Foundation
import SyncCore
import Testing
import Transport

/// Crashes, throttling, failing servers, broken input and secrets.
@Suite(.serialized) struct SafetyTests {
    @Test func aSyncKilledMidwayConvergesOnRerunWithoutDuplicatesOrLostUpdates() async throws {
        let h = try await Harness()
        // 20 linked pairs whose EspoCRM side will change, and 120 people only in EspoCRM.
        var linked: [String] = []
        for n in 0..<20 { linked.append(try #require(await h.person(n).1)) }
        #expect(try await h.run(["sync"]).code == 0)
        for (n, id) in linked.enumerated() {
            #expect(h.sandbox.espo.edit("Contact", id: id, ["addressCity": .string("City\(n)")]))
        }
        for n in 100..<220 { await h.person(n, on: [.espo]) }
        // Slow GHL down so the kill lands in the middle of the creates.
        await h.sandbox.ghlServer.setFaults(Faults(latency: .milliseconds(30)))
        let (process, _) = try h.start(["sync"])
        while await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) < 60, process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let created = await h.sandbox.ghl.contactCount(location: h.sandbox.locationId)
        #expect(created < 140, "the kill came after the run had finished")
        await h.sandbox.ghlServer.setFaults(.none)

        let rerun = try await h.run(["sync", "--json"])
        #expect(rerun.code == 0, "\(rerun)")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 140)
        let emails = await h.ghlContacts().compactMap { $0["email"]?.stringValue }
        #expect(Set(emails).count == 140)
        for n in 0..<20 {
            #expect(await h.ghlContact(email: "person.\(n)+e2e@example.com")?["city"]?.stringValue == "City\(n)")
        }
        #expect(try await h.run(["plan"]).code == 0)
        await h.stop()
    }

    /// Each 429 holds the client for the location's window (1 s here), so 15 of them take about 15 s.
    @Test func aStormOf429sIsWaitedOut() async throws {
        let h = try await Harness()
        for n in 0..<30 { await h.person(n, on: [.espo]) }
        await h.sandbox.ghlServer.setFaults(Faults(throttleBurst: 15))
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 30)
        #expect(await h.sandbox.ghlServer.log.throttled == 15)
        await h.stop()
    }

    @Test func tenPercentServerErrorsOnBothSidesStillConverge() async throws {
        let h = try await Harness()
        for n in 0..<40 { await h.person(n, on: [.espo]) }
        for n in 40..<80 { await h.person(n, on: [.ghl]) }
        await h.sandbox.ghlServer.setFaults(Faults(serverErrorRate: 0.1, seed: 3))
        await h.sandbox.espoServer.setFaults(Faults(serverErrorRate: 0.1, seed: 4))
        var codes: [Int32] = []
        for _ in 0..<4 {
            let result = try await h.run(["sync", "--json"])
            codes.append(result.code)
            #expect([0, 3].contains(result.code), "\(result)")
            if result.code == 3 {
                // What failed is kept and shown, also after a plan, until a sync retries it.
                #expect(try await h.run(["plan"]).code == 2)
                let status = try await h.run(["status", "--json"])
                #expect(status.json?["failures"]?.arrayValue?.isEmpty == false, "\(status)")
            }
            if result.code == 0 { break }
        }
        #expect(codes.last == 0, "\(codes)")
        await h.sandbox.ghlServer.setFaults(.none)
        await h.sandbox.espoServer.setFaults(.none)
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 80)
        #expect(h.sandbox.espo.count("Contact") == 80)
        #expect(try await h.run(["plan"]).code == 0)
        await h.stop()
    }

    @Test func aBrokenMappingOrConfigFailsBeforeAnyRequest() async throws {
        let h = try await Harness(people: 10)
        await h.resetRequestLogs()
        let mapping = h.folder.file("mappings/contacts.json")
        let good = try String(contentsOfFile: mapping, encoding: .utf8)
        try good.replacingOccurrences(of: "\"deletes\"", with: "\"deletez\"").write(toFile: mapping, atomically: true, encoding: .utf8)
        let broken = try await h.run(["sync"])
        #expect(broken.code == 1)
        #expect(broken.stderr.contains("contacts.json") && broken.stderr.contains("deletez"), "\(broken)")
        try good.write(toFile: mapping, atomically: true, encoding: .utf8)

        let config = h.folder.file("espo-ghl-sync.json")
        try h.config().replacingOccurrences(of: "\"tokenEnv\"", with: "\"tokenEnvironment\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let badConfig = try await h.run(["plan"])
        #expect(badConfig.code == 1)
        #expect(badConfig.stderr.contains("espo-ghl-sync.json") && badConfig.stderr.contains("$.ghl.auth.tokenEnvironment"), "\(badConfig)")
        try h.config().write(toFile: config, atomically: true, encoding: .utf8)
        let noSecret = try await h.run(["plan"], environment: ["ESPO_API_KEY": ""])
        #expect(noSecret.code == 1)
        #expect(noSecret.stderr.contains("ESPO_API_KEY"), "\(noSecret)")
        #expect(await h.sandbox.ghlServer.log.entries.isEmpty)
        #expect(await h.sandbox.espoServer.log.entries.isEmpty)
        await h.stop()
    }

    @Test func noSecretReachesOutputLogsOrTheStateFile() async throws {
        let h = try await Harness(people: 40, seed: 3)
        await h.sandbox.ghlServer.setFaults(Faults(serverErrorRate: 0.05, throttleBurst: 3, seed: 9))
        var outputs: [String] = []
        for arguments in [["plan", "--verbose"], ["sync", "--verbose", "--log-format", "json"], ["status"], ["sync", "--json"]] {
            let result = try await h.run(arguments)
            outputs.append(result.stdout + result.stderr)
        }
        for secret in [h.sandbox.ghlToken, h.sandbox.espoAPIKey] {
            for output in outputs { #expect(!output.contains(secret)) }
            for name in h.folder.names() where name.hasPrefix("state.sqlite") {
                let bytes = FileManager.default.contents(atPath: h.folder.file(name)) ?? Data()
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds a secret")
            }
        }
        await h.stop()
    }

    @Test func aSecondRunOnTheSameStateFileIsRefusedWhileTheFirstRuns() async throws {
        let h = try await Harness()
        for n in 0..<60 { await h.person(n, on: [.espo]) }
        await h.sandbox.ghlServer.setFaults(Faults(latency: .milliseconds(50)))
        let (first, firstName) = try h.start(["sync"])
        while await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) < 2 { try await Task.sleep(for: .milliseconds(5)) }
        let second = try await h.run(["sync"])
        #expect(second.code == 1)
        #expect(second.stderr.contains("another espo-ghl-sync run"), "\(second)")
        while first.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(h.output(of: first, name: firstName).code == 0)
        await h.stop()
    }
}

/// Interruption and EspoCRM's duplicate check, end to end.
@Suite(.serialized) struct InterruptionAndDuplicateTests {
    @Test func sigintFinishesTheCallsInFlightCommitsAndExits130() async throws {
        let h = try await Harness()
        for n in 0..<100 { await h.person(n, on: [.espo]) }
        await h.sandbox.ghlServer.setFaults(Faults(latency: .milliseconds(40)))
        let (process, name) = try h.start(["sync"])
        while await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) < 20, process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(process.processIdentifier, SIGINT)
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let result = h.output(of: process, name: name)
        #expect(result.code == 130, "\(result)")
        #expect(result.stderr.contains("stopping"), "\(result)")
        let created = await h.sandbox.ghl.contactCount(location: h.sandbox.locationId)
        #expect(created < 100)
        // Every create that was answered was committed: the rerun creates exactly the rest.
        await h.sandbox.ghlServer.setFaults(.none)
        let rerun = try await h.run(["sync", "--json"])
        #expect(rerun.code == 0, "\(rerun)")
        #expect(count(rerun.json, "create", .ghl) == 100 - created, "\(rerun)")
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 100)
        await h.stop()
    }

    @Test func aNameOnlyDuplicateInEspoIsADifferentPersonAndIsCreated() async throws {
        let h = try await Harness()
        // Same name, different e-mail and phone: EspoCRM's duplicate check flags it, the sync does not.
        await h.person(1, on: [.ghl])
        await h.person(2, espo: ["lastName": "Number1"], on: [.espo])
        let sync = try await h.run(["sync", "--json"])
        #expect(sync.code == 0, "\(sync)")
        #expect(h.sandbox.espo.count("Contact") == 2)
        #expect(await h.sandbox.ghl.contactCount(location: h.sandbox.locationId) == 2)
        // EspoCRM answered the first create with its duplicate; the second, with the check skipped, went through.
        let creates = await h.sandbox.espoServer.log.entries.filter { $0.method == "POST" && $0.endpoint.contains("Contact") }
        #expect(creates.map(\.status) == [409, 200], "\(creates.map(\.status))")
        #expect(try await h.run(["plan"]).code == 0)
        await h.stop()
    }
}
