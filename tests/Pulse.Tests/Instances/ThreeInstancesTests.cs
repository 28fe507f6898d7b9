using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Dapper;
using Pulse.Api.Cli;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using Pulse.Tests.Webhooks;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Instances;

/// <summary>
/// Three Pulse processes on one PostgreSQL database, as behind a load balancer (issue 20, "How it is tested here"):
/// eligibility hammered for the same users from all three, answers spread over them, one killed (SIGKILL) while it
/// holds webhook deliveries in flight, and a survey edit on one seen by the others' next eligibility answers.
/// The processes start together, so they also apply the migrations together (under the advisory lock).
/// The test that kills an instance runs last.
/// </summary>
[Category(TestCategories.Process)]
public sealed class ThreeInstancesTests
{
    const string Origin = "https://app.acme.test";

    /// <summary>The receiver holds each answer this long until the kill, so attempts are under way when it comes.</summary>
    static readonly TimeSpan Hold = TimeSpan.FromSeconds(1);

    PostgresDatabase _database = null!;
    TempDirectory _dir = null!;
    Db _db = null!;
    List<ApiProcess> _apis = [];
    int _users;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = Postgres.CreateDatabase();
        _dir = new TempDirectory();
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "postgres",
            ["ConnectionStrings:Pulse"] = _database.ConnectionString,
            // Caches that would keep a survey for an hour: only LISTEN/NOTIFY can make an edit visible on the others.
            ["Surveys:CacheSeconds"] = "3600",
            ["Workspaces:CacheSeconds"] = "300",
            ["Webhooks:AllowInsecureTargets"] = "true",
            ["Webhooks:MergeWindow"] = "00:00:00",
            ["Webhooks:PollInterval"] = "00:00:00.050",
            ["Webhooks:MaxConcurrencyPerEndpoint"] = "8",
            // A lease of 3.5 s: the dead instance's deliveries are taken over within the test.
            ["Webhooks:Timeout"] = "00:00:03",
            ["Webhooks:LeaseMargin"] = "00:00:00.500",
        };
        var starts = Enumerable.Range(0, 3).Select(_ => ApiProcess.StartAsync(_dir.File("unused.db"), settings)).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            _apis = [.. starts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
        }
        _db = new Db(_database.ConnectionString, _dir.Path, provider: StorageProvider.Postgres);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        foreach (var api in _apis)
            api.Dispose();
        _database?.Dispose();
        _dir?.Dispose();
    }

    /// <summary>A workspace written straight into the database, as the CLI does (with the CLI's workspace hooks: its first survey).</summary>
    CreatedWorkspace CreateWorkspace(string name)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var created = WorkspaceStore.Create(c, tx, new NewWorkspace(name, [Origin]), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), PulseCli.WorkspaceHooks);
        tx.Commit();
        return created;
    }

    HttpClient Secret(int instance, CreatedWorkspace ws)
    {
        var client = new HttpClient { BaseAddress = _apis[instance].Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ws.SecretKey);
        return client;
    }

    HttpClient Browser(int instance)
    {
        var client = new HttpClient { BaseAddress = _apis[instance].Address };
        client.DefaultRequestHeaders.Add("Origin", Origin);
        return client;
    }

    Dictionary<string, object?> NewUser() => User($"u-{Interlocked.Increment(ref _users)}", DateTimeOffset.UtcNow);

    /// <summary>
    /// Answers through the three instances: eligibility on one, the answer on the next; returns the acknowledged
    /// (201) answers' ids and scores.
    /// </summary>
    async Task<List<(long Id, int Score)>> AnswerAsync(CreatedWorkspace ws, int count)
    {
        var secrets = Enumerable.Range(0, 3).Select(i => Secret(i, ws)).ToList();
        var browsers = Enumerable.Range(0, 3).Select(Browser).ToList();
        try
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                var shown = await secrets[i % 3].CheckUser(NewUser());
                Assert.That(shown.Eligible, Is.True, shown.Reason);
                var saved = await (await browsers[(i + 1) % 3].PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = i % 11 })))
                    .ReadJson<SavedResponse>(201);
                return (saved.Id, saved.Score);
            }));
            return [.. answers];
        }
        finally
        {
            foreach (var client in secrets.Concat(browsers))
                client.Dispose();
        }
    }

    [Test]
    [Order(1)]
    public async Task Eligibility_SameUsersFromThreeInstancesAtOnce_ReservesOneDisplayPerUser()
    {
        var ws = CreateWorkspace("Hammer");
        var clients = Enumerable.Range(0, 3).Select(i => Secret(i, ws)).ToList();
        var now = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, 12).Select(i => $"u-hammer-{i}").ToList();
        using var start = new SemaphoreSlim(0);
        var calls = users.SelectMany(u => Enumerable.Range(0, 15).Select(async i =>
        {
            await start.WaitAsync();
            var answer = await clients[i % 3].CheckUser(User(u, now));
            return (User: u, Instance: i % 3, answer.Eligible);
        })).ToList();
        start.Release(calls.Count);
        var answers = await Task.WhenAll(calls);
        foreach (var client in clients)
            client.Dispose();

        var eligible = answers.Where(a => a.Eligible).ToList();
        var perUser = users.ToDictionary(u => u, u => eligible.Count(a => a.User == u));
        using var c = _db.Open();
        var displays = c.Query<(string User, long Count)>("SELECT user_id, COUNT(*) FROM displays WHERE workspace_id = @W GROUP BY user_id",
            new { W = ws.WorkspaceId }).ToDictionary(r => r.User, r => r.Count);
        TestContext.Out.WriteLine($"{answers.Length} calls; eligible:true by instance: " +
            string.Join(", ", eligible.GroupBy(a => a.Instance).OrderBy(g => g.Key).Select(g => $"#{g.Key} {g.Count()}")));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(perUser.Values, Has.All.EqualTo(1), "eligible:true per user: " + string.Join(", ", perUser));
            Assert.That(displays.Keys, Is.EquivalentTo(users), "a display for every user");
            Assert.That(displays.Values, Has.All.EqualTo(1L), "displays per user: " + string.Join(", ", displays));
        }
    }

    [Test]
    [Order(2)]
    public async Task Answers_PostedAcrossThreeInstances_EveryAcknowledgedOneIsInTheDatabase()
    {
        var ws = CreateWorkspace("Answers");
        var acknowledged = await AnswerAsync(ws, 60);

        using var c = _db.Open();
        var stored = c.Query<(long Id, int Score)>("SELECT id, score FROM responses WHERE workspace_id = @W", new { W = ws.WorkspaceId }).ToList();
        Assert.That(stored, Is.EquivalentTo(acknowledged));
    }

    [Test]
    [Order(3)]
    public async Task SurveyEdit_OnOneInstance_ChangesTheNextEligibilityAnswerOnTheOthersWithinASecond()
    {
        var ws = CreateWorkspace("Edit");
        var survey = DefaultSurveyId(_db, ws.WorkspaceId);
        var clients = Enumerable.Range(0, 3).Select(i => Secret(i, ws)).ToList();
        try
        {
            // Every instance has the survey cached (for an hour).
            foreach (var client in clients)
                Assert.That((await client.CheckUser(NewUser())).Eligible, Is.True);

            (await clients[0].PutAsync($"/v1/surveys/{survey}", Json.Of(new { active = false }))).EnsureSuccessStatusCode();
            var sinceEdit = Stopwatch.StartNew();

            // New users on the two others, alternately, until each has answered with the pause.
            var answers = new List<(int Instance, TimeSpan Sent, TimeSpan Answered, bool Eligible)>();
            while (!new[] { 1, 2 }.All(i => answers.Any(a => a.Instance == i && !a.Eligible)))
            {
                if (sinceEdit.Elapsed > Poll.HangGuard)
                    Assert.Fail("The pause never reached every instance: " + string.Join(", ", answers));
                var instance = 1 + answers.Count % 2;
                var sent = sinceEdit.Elapsed;
                var eligible = (await clients[instance].CheckUser(NewUser())).Eligible;
                answers.Add((instance, sent, sinceEdit.Elapsed, eligible));
            }

            foreach (var instance in new[] { 1, 2 })
            {
                var own = answers.Where(a => a.Instance == instance).ToList();
                var lastOld = own.LastOrDefault(a => a.Eligible);
                var firstNew = own.First(a => !a.Eligible);
                TestContext.Out.WriteLine($"instance #{instance}: the edit seen after at most {firstNew.Answered.TotalMilliseconds:0} ms " +
                    $"(last old answer to a call sent at {(lastOld == default ? "-" : $"{lastOld.Sent.TotalMilliseconds:0} ms")})");
            }
            using (Assert.EnterMultipleScope())
            {
                // The issue's bound: a call sent a second or more after the edit's 2xx sees the edit.
                Assert.That(answers.Where(a => a.Eligible && a.Sent >= TimeSpan.FromSeconds(1)), Is.Empty, "old answers a second after the edit");
                foreach (var instance in new[] { 1, 2 })
                    Assert.That(answers.Where(a => a.Instance == instance).SkipWhile(a => a.Eligible).Where(a => a.Eligible), Is.Empty,
                        $"instance #{instance} went back to the old survey");
            }
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    [Test]
    [Order(4)]
    public async Task Webhooks_InstanceKilledWithDeliveriesInFlight_EveryDeliveryArrives_NoAttemptTwice()
    {
        var ws = CreateWorkspace("Hooks");
        await using var receiver = await WebhookReceiver.StartAsync();
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrivals = new ConcurrentDictionary<int, DateTimeOffset>();
        receiver.Respond = async r =>
        {
            arrivals[r.Number] = DateTimeOffset.UtcNow;
            await Task.WhenAny(killed.Task, Task.Delay(Hold));
            return Microsoft.AspNetCore.Http.Results.NoContent();
        };
        WebhookResponse hook;
        using (var http = Secret(0, ws))
            hook = await (await http.PostAsync("/v1/webhooks", Json.Of(new { url = receiver.Url(), events = new[] { "response.created" } })))
                .ReadJson<WebhookResponse>(201);

        var acknowledged = await AnswerAsync(ws, 45);

        // Kill an instance that holds leases on deliveries the receiver is answering (attempts under way).
        var received = new List<ReceivedWebhook>();
        ApiProcess? victim = null;
        await Poll.UntilAsync(() =>
        {
            received.AddRange(receiver.Drain());
            var seen = received.Select(r => r.Id).ToHashSet();
            var inFlight = Leases(hook.Id).Where(l => seen.Contains(l.EventId)).ToList();
            victim = _apis.FirstOrDefault(api => inFlight.Any(l => l.Owner.Contains($"/{api.ProcessId}/", StringComparison.Ordinal)));
            return victim is not null;
        }, "an instance with an attempt in flight");
        victim!.Kill();
        var orphans = Leases(hook.Id).Where(l => l.Owner.Contains($"/{victim.ProcessId}/", StringComparison.Ordinal)).ToDictionary(l => l.EventId, l => l.Until);
        killed.SetResult();
        _apis.Remove(victim);
        victim.Dispose();

        await Poll.UntilAsync(() => Deliveries(hook.Id).All(d => d.Status == "delivered"), "every delivery delivered");
        received.AddRange(receiver.Drain());
        var rows = Deliveries(hook.Id);
        var receipts = received.GroupBy(r => r.Id!).ToDictionary(g => g.Key, g => g.ToList());
        TestContext.Out.WriteLine($"{rows.Count} deliveries, {received.Count} requests received, {orphans.Count} leases left by the killed instance");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(orphans, Is.Not.Empty, "the killed instance held leases");
            Assert.That(rows, Has.Count.EqualTo(acknowledged.Count), "one delivery per acknowledged answer");
            Assert.That(receipts.Keys, Is.EquivalentTo(rows.Select(r => r.EventId)), "every delivery arrived, nothing else did");
            Assert.That(received.GroupBy(r => (r.Id, r.Timestamp)).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty,
                "no attempt (webhook-id and webhook-timestamp) received twice");
            Assert.That(received.Where(r => !r.VerifiesWith(hook.Secret!, DateTimeOffset.UtcNow)).Select(r => r.Number), Is.Empty, "signed");
            Assert.That(rows.Where(r => r.LeaseOwner is not null), Is.Empty, "no lease left");
            foreach (var row in rows)
            {
                // Requests beyond the recorded attempts: only the one the killed instance sent and could not record.
                var extra = receipts.GetValueOrDefault(row.EventId)?.Count - row.Attempts;
                Assert.That(extra, orphans.ContainsKey(row.EventId) ? Is.InRange(0, 1) : Is.Zero, $"requests beyond attempts for {row.EventId}");
            }
            foreach (var (eventId, until) in orphans)
                Assert.That(receipts.GetValueOrDefault(eventId, []).Any(r => arrivals.GetValueOrDefault(r.Number).ToUnixTimeMilliseconds() >= until), Is.True,
                    $"{eventId} sent again after the dead instance's lease expired");
        }
    }

    List<(string EventId, string Owner, long Until)> Leases(string webhookId)
    {
        using var c = _db.Open();
        return [.. c.Query<(string, string, long)>(
            "SELECT event_id, lease_owner, lease_until FROM webhook_deliveries WHERE webhook_id = @W AND lease_owner IS NOT NULL", new { W = webhookId })];
    }

    List<(string EventId, string Status, long Attempts, string? LeaseOwner)> Deliveries(string webhookId)
    {
        using var c = _db.Open();
        return [.. c.Query<(string, string, long, string?)>(
            "SELECT event_id, status, attempts, lease_owner FROM webhook_deliveries WHERE webhook_id = @W ORDER BY id", new { W = webhookId })];
    }
}
