using System.Net;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Responses;

/// <summary>When the one writer cannot keep up, callers are told at once (503 + Retry-After); nothing is dropped silently.</summary>
public sealed class ResponseBackpressureTests
{
    const string Origin = "https://app.acme.test";

    [Test]
    public async Task Response_WhenTheWriteQueueIsFull_Is503WithRetryAfter_AndQueuedAnswersStillCommit()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Storage:WriteQueueCapacity"] = "1" });
        _ = app.Server;
        var ws = app.CreateWorkspace("Acme", [Origin]);
        var (queuedDisplay, queuedToken) = app.CreateDisplay(ws.WorkspaceId, "queued");
        var (refusedDisplay, refusedToken) = app.CreateDisplay(ws.WorkspaceId, "refused");
        using var http = app.BrowserClient(Origin);
        var queue = app.Services.GetRequiredService<WriteQueue>();

        // Occupy the writer with a command that waits for the test, so the next one has to queue.
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocker = queue.ExecuteAsync((c, tx) => { started.Set(); release.Wait(); });
        started.Wait();
        var queued = http.PostAsync("/v1/responses", Json.Of(new { displayToken = queuedToken, score = 9 }));
        while (queue.Depth < 1 && !queued.IsCompleted)
            await Task.Yield();

        var refused = await http.PostAsync("/v1/responses", Json.Of(new { displayToken = refusedToken, score = 9 }));
        release.Set();
        await blocker;

        await refused.AssertProblem(503);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That((await queued).StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(app.Count($"responses WHERE display_id = {queuedDisplay.Id}"), Is.EqualTo(1));
            Assert.That(app.Count($"responses WHERE display_id = {refusedDisplay.Id}"), Is.Zero);
        }
    }

    [Test]
    public async Task Response_WhenAnotherProcessHoldsTheLockPastTheBusyTimeout_Is503_ThenWorksAgain()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Storage:BusyTimeoutSeconds"] = "1" });
        _ = app.Server;
        var ws = app.CreateWorkspace("Acme", [Origin]);
        var (display, token) = app.CreateDisplay(ws.WorkspaceId, "u1");
        using var http = app.BrowserClient(Origin);

        using (var other = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False"))
        {
            other.Open();
            using var hold = other.BeginTransaction(deferred: false);
            var busy = await http.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 9 }));
            await busy.AssertProblem(503);
            Assert.That(busy.Headers.RetryAfter, Is.Not.Null);
        }

        var retried = await http.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 9 }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(app.Count($"responses WHERE display_id = {display.Id}"), Is.EqualTo(1));
        }
    }
}
