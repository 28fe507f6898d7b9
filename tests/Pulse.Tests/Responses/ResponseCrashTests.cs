using System.Collections.Concurrent;
using System.Net;
using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Responses;

/// <summary>
/// A 2xx means committed: the API runs as its own process, takes thousands of concurrent answers,
/// is killed with SIGKILL part-way, and every answer it had acknowledged must be on disk exactly
/// once after the restart, in a database that passes integrity_check.
/// </summary>
[Category(TestCategories.Process)]
public sealed class ResponseCrashTests
{
    const int Displays = 4000;
    const int Workers = 32;
    const int KillAfterAcknowledged = 2500;

    [Test]
    public async Task Responses_AcknowledgedBeforeSigkill_AreStoredExactlyOnce()
    {
        using var dir = new TempDirectory();
        var dbPath = dir.File("crash.db");
        var tokens = PrepareDatabase(dbPath);
        var drafts = ResponseDraftFaker.Create(seed: 4).Generate(Displays);

        // Per display: 1 = score acknowledged (201), 2 = comment acknowledged too (200).
        var acknowledged = new ConcurrentDictionary<int, int>();
        var acks = 0;
        var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var unexpected = new ConcurrentBag<string>();
        var next = -1;

        var api = await ApiProcess.StartAsync(dbPath);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers }) { BaseAddress = api.Address };

        async Task<HttpStatusCode?> Send(object body)
        {
            try
            {
                using var response = await http.PostAsync("/v1/responses", Json.Of(body));
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return null; // the process is gone: this answer's fate is unknown, and that is allowed
            }
        }

        // Sends one post; false once the process is gone. Only a 2xx counts as acknowledged.
        async Task<bool> Answer(int i, object body, HttpStatusCode expected, int state)
        {
            var status = await Send(body);
            if (status is null)
                return false;
            if (status != expected)
            {
                unexpected.Add($"display {i}, step {state}: {status}");
                return true;
            }
            acknowledged[i] = state;
            if (Interlocked.Increment(ref acks) == KillAfterAcknowledged)
                killNow.TrySetResult();
            return true;
        }

        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Displays)
            {
                var draft = drafts[i];
                if (!await Answer(i, new { displayToken = tokens[i], score = draft.Score }, HttpStatusCode.Created, 1)
                    || !await Answer(i, new { displayToken = tokens[i], score = draft.Score, comment = draft.Comment }, HttpStatusCode.OK, 2))
                    return;
            }
        }

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(Worker)).ToList();
        await Task.WhenAny(killNow.Task, Task.WhenAll(workers));
        api.Kill();
        await Task.WhenAll(workers);
        api.Dispose();

        using var restarted = await ApiProcess.StartAsync(dbPath);
        var stored = ReadResponses(dbPath);

        TestContext.Out.WriteLine($"{acks} answers acknowledged for {acknowledged.Count} displays before SIGKILL; {stored.Count} responses stored");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unexpected, Is.Empty);
            Assert.That(acks, Is.GreaterThanOrEqualTo(KillAfterAcknowledged));
            Assert.That(acks, Is.LessThan(2 * Displays), "the kill must land part-way");
            Assert.That(stored.Values.Sum(r => r.Rows), Is.EqualTo(stored.Count), "one row per display");
            foreach (var (i, state) in acknowledged)
            {
                Assert.That(stored.TryGetValue(i, out var row), Is.True, $"display {i} was acknowledged but is missing");
                if (row is null)
                    continue;
                Assert.That(row.Score, Is.EqualTo(drafts[i].Score), $"score of display {i}");
                Assert.That(row.AnsweredAt, Is.Not.Null, $"answered_at of display {i}");
                if (state == 2)
                    Assert.That(row.Comment, Is.EqualTo(drafts[i].Comment), $"comment of display {i}");
            }
            Assert.That(IntegrityCheck(dbPath), Is.EqualTo("ok"));
        }

        // After the restart, an acknowledged token is still the same single response.
        using var again = new HttpClient { BaseAddress = restarted.Address };
        var first = acknowledged.Keys.Min();
        var repeat = await again.PostAsync("/v1/responses", Json.Of(new { displayToken = tokens[first], score = drafts[first].Score }));
        Assert.That(repeat.StatusCode, Is.EqualTo(HttpStatusCode.OK), await repeat.Content.ReadAsStringAsync());
        await restarted.StopAsync();
    }

    /// <summary>A migrated database with one workspace and <see cref="Displays"/> displays; returns their tokens by index.</summary>
    static List<string> PrepareDatabase(string dbPath)
    {
        var db = new Db($"Data Source={dbPath}", Path.GetDirectoryName(dbPath)!);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        using var c = db.Open();
        Migrator.Apply(c, TimeProvider.System);
        using var tx = c.BeginTransaction(deferred: false);
        var ws = WorkspaceStore.Create(c, tx, new NewWorkspace("Crash", ["https://app.crash.test"]), now, Pulse.Api.Cli.PulseCli.WorkspaceHooks);
        var tokens = Enumerable.Range(0, Displays)
            .Select(i => TestData.CreateDisplay(c, tx, ws.WorkspaceId, $"user-{i:D5}", now, TimeSpan.FromDays(7)).Token)
            .ToList();
        // The display index travels in the user id, so the check can map rows back to drafts.
        tx.Commit();
        return tokens;
    }

    sealed record StoredRow(long Score, string? Comment, long? AnsweredAt, long Rows);

    static Dictionary<int, StoredRow> ReadResponses(string dbPath)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dbPath};Mode=ReadOnly;Pooling=False");
        c.Open();
        return c.Query<(string UserId, long Score, string? Comment, long? AnsweredAt, long Rows)>("""
                SELECT r.user_id, MAX(r.score), MAX(r.comment), MAX(d.answered_at), COUNT(*)
                FROM responses r JOIN displays d ON d.id = r.display_id
                GROUP BY r.display_id
                """)
            .ToDictionary(r => int.Parse(r.UserId["user-".Length..], System.Globalization.CultureInfo.InvariantCulture),
                r => new StoredRow(r.Score, r.Comment, r.AnsweredAt, r.Rows));
    }

    static string IntegrityCheck(string dbPath)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dbPath};Pooling=False");
        c.Open();
        return string.Join("\n", c.Query<string>("PRAGMA integrity_check"));
    }
}
