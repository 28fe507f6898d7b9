using System.Diagnostics;
using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>
/// A full disk (SQLite error 13) is 507 with Retry-After, not a 500: nothing is saved, /readyz
/// reports not ready while writes fail, the log says so once a minute, and Pulse recovers by
/// itself when space returns. Simulated with SQLite's max_page_count on the writer's connection
/// (always), and for real on a small tmpfs where the machine lets the test mount one.
/// </summary>
public sealed class DiskFullTests
{
    const int Displays = 300;
    static readonly string Comment = new('x', 4000);

    [Test]
    public async Task DatabaseAtItsPageLimit_Is507WithRetryAfter_NotReady_LoggedOncePerMinute_AndRecoversByItself()
    {
        var logs = new LogCapture();
        using var app = new PulseFactory(services: s => s.AddSingleton<ILoggerProvider>(logs));
        var ws = app.CreateWorkspace(requireUserHash: false);
        var tokens = Enumerable.Range(0, Displays).Select(i => app.CreateDisplay(ws.WorkspaceId, $"u{i}").Token).ToList();
        using var http = app.CreateClient();
        var writer = app.Services.GetRequiredService<WriteQueue>();
        // From now on the writer's connection may not give the file a single page more.
        await writer.ExecuteAsync((c, tx) =>
            c.Execute($"PRAGMA max_page_count = {c.ExecuteScalar<long>("PRAGMA page_count", transaction: tx)}", transaction: tx));

        var (next, refused) = await AnswerUntilRefused(http, tokens, 0);
        var stored = app.Count("responses");
        await AssertDiskFull(refused, http);
        Assert.That(stored, Is.EqualTo(next), "every 201 is stored, the refused answer is not");

        for (var i = 0; i < 5; i++)
            await (await Answer(http, tokens[next])).AssertProblem(507);
        Assert.That(logs.Count("Disk full", LogLevel.Error), Is.EqualTo(1), "one message for many failed writes within a minute");
        app.Time.Advance(StorageHealth.LogEvery);
        await (await Answer(http, tokens[next])).AssertProblem(507);
        Assert.That(logs.Count("Disk full", LogLevel.Error), Is.EqualTo(2),
            "and one more once the minute has passed:\n" + string.Join("\n", logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}")));

        // Space returns; no request is needed for Pulse to notice.
        await writer.ExecuteAsync((c, tx) => c.Execute("PRAGMA max_page_count = 1073741823", transaction: tx));
        await WaitUntilReady(http);
        Assert.That((await Answer(http, tokens[next])).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(logs.Count("Disk space is back", LogLevel.Warning), Is.EqualTo(1));
    }

    [Test]
    [Category("Process")]
    public async Task FullTmpfs_Is507_NotReady_AndRecoversWhenSpaceIsFreed()
    {
        using var dir = new TempDirectory();
        var mount = dir.File("tmpfs");
        Directory.CreateDirectory(mount);
        var (mounted, error) = await Tmpfs.MountAsync(mount, "16m");
        if (!mounted)
            Assert.Ignore($"Could not mount a 16 MiB tmpfs ({error.Trim()}): that needs root with CAP_SYS_ADMIN. " +
                "DatabaseAtItsPageLimit_… covers the same code with SQLite's max_page_count.");
        try
        {
            using var app = new PulseFactory(databasePath: Path.Combine(mount, "pulse.db"));
            var ws = app.CreateWorkspace(requireUserHash: false);
            var tokens = Enumerable.Range(0, Displays).Select(i => app.CreateDisplay(ws.WorkspaceId, $"u{i}").Token).ToList();
            using var http = app.CreateClient();
            await (await http.GetAsync("/readyz")).ReadJson<System.Text.Json.JsonElement>();

            var ballast = Path.Combine(mount, "ballast");
            FillLeaving(ballast, mount, 192 * 1024);
            var (next, refused) = await AnswerUntilRefused(http, tokens, 0);
            await AssertDiskFull(refused, http);

            File.Delete(ballast);
            await WaitUntilReady(http);
            Assert.That((await Answer(http, tokens[next])).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await Tmpfs.UnmountAsync(mount);
        }
    }

    static Task<HttpResponseMessage> Answer(HttpClient http, string token) =>
        http.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 3, comment = Comment }));

    /// <summary>Posts answers until one is refused; every earlier one must be a 201.</summary>
    static async Task<(int Next, HttpResponseMessage Refused)> AnswerUntilRefused(HttpClient http, List<string> tokens, int from)
    {
        for (var i = from; i < tokens.Count; i++)
        {
            var response = await Answer(http, tokens[i]);
            if (response.StatusCode != HttpStatusCode.Created)
                return (i, response);
        }
        Assert.Fail($"{tokens.Count} answers fitted: the disk never filled");
        throw new UnreachableException();
    }

    static async Task AssertDiskFull(HttpResponseMessage refused, HttpClient http)
    {
        var problem = await refused.AssertProblem(507);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(StorageFullException.RetryAfterSeconds)));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("disk is full"));
        }
        var ready = await (await http.GetAsync("/readyz")).AssertProblem(503);
        Assert.That(ready.GetProperty("detail").GetString(), Does.Contain("disk is full"));
    }

    /// <summary>Polls /readyz until 200; the writer probes for space every few seconds when idle.</summary>
    static async Task WaitUntilReady(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while ((await http.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                Assert.Fail("/readyz stayed 503 a minute after space returned");
            await Task.Delay(200);
        }
    }

    static void FillLeaving(string path, string mount, long leave)
    {
        var chunk = new byte[16 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        while (new DriveInfo(mount).AvailableFreeSpace > leave + chunk.Length)
        {
            file.Write(chunk);
            file.Flush(flushToDisk: true);
        }
    }
}
