using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Client;
using Pulse.Tests.Support;

namespace Pulse.Tests.Client;

/// <summary>
/// 429 and 503 provoked for real (rate limits set tiny, the database locked by another connection,
/// the writer stopped): retried after <c>Retry-After</c>, counted attempt by attempt. Waits are
/// checked from below only: never a wall-clock upper bound.
/// </summary>
public sealed class ClientRetryTests
{
    static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A 1 s wait as Stopwatch measures it: timers fire on a coarse millisecond tick and can end a
    /// fraction of a tick early. A retry that ignored Retry-After would come within milliseconds.
    /// </summary>
    static readonly TimeSpan WaitedOneSecond = OneSecond - TimeSpan.FromMilliseconds(20);

    /// <summary>A real API on loopback with these settings and a workspace; with <paramref name="stopWriter"/>, every write answers 503.</summary>
    static async Task<(PulseFactory Pulse, Pulse.Api.Workspaces.CreatedWorkspace Workspace)> StartAsync(
        Dictionary<string, string?>? settings = null, bool stopWriter = false)
    {
        var pulse = new PulseFactory(settings);
        pulse.StartKestrel();
        var workspace = pulse.CreateWorkspace();
        if (stopWriter)
            await pulse.Services.GetRequiredService<WriteQueue>().StopAsync(CancellationToken.None);
        return (pulse, workspace);
    }

    static PulseUser DueUser(PulseFactory pulse) => new("u-" + Guid.NewGuid().ToString("n")) { CreatedAt = pulse.Time.GetUtcNow().AddDays(-400) };

    [Test]
    public async Task A429_IsRetriedAfterItsRetryAfter_ThenSucceeds()
    {
        var (pulse, workspace) = await StartAsync(new Dictionary<string, string?> { ["RateLimiting:PerSiteKeyPerSecond"] = "1" });
        using var server = pulse;
        using var host = ClientHost.For(pulse.Address!, workspace);
        // Secret-key eligibility is not counted per site key; the token's calls are.
        var token = (await host.Client.CheckEligibilityAsync(new EligibilityCheck(DueUser(pulse)))).DisplayToken!;
        using var raw = new HttpClient { BaseAddress = pulse.Address };

        IReadOnlyList<Attempt> attempts = [];
        for (var round = 0; round < 5 && attempts is not [{ Status: 429 }, ..]; round++)
        {
            // Spend this second's permit, then call at once: the client meets the limit.
            while ((int)(await raw.PostAsync("/v1/declines", Json.Of(new { displayToken = token }))).StatusCode != 429) { }
            host.Attempts.Clear();
            await host.Client.DeclineAsync(token);
            attempts = host.Attempts.All;
        }

        using (Assert.EnterMultipleScope())
        {
            // Normally [429, 204]. On a loaded machine the limiter's replenishment tick can lag the
            // one-second Retry-After, so a second 429 (and retry) is allowed; every wait must still
            // honour its Retry-After and the call must end in success.
            Assert.That(attempts.Select(a => a.Status), Is.EqualTo(new[] { 429, 204 }).Or.EqualTo(new[] { 429, 429, 204 }));
            Assert.That(attempts[0].RetryAfter, Is.EqualTo(OneSecond));
            for (var i = 0; i < attempts.Count - 1; i++)
                Assert.That(host.Attempts.WaitAfter(i), Is.GreaterThanOrEqualTo(WaitedOneSecond));
        }
    }

    [Test]
    public async Task A429_WithARetryAfterBeyondMaxRetryAfter_FailsAtOnce_WithRetryAfter()
    {
        var (pulse, workspace) = await StartAsync(new Dictionary<string, string?> { ["RateLimiting:PerClientPerMinute"] = "1" });
        using var server = pulse;
        using var host = ClientHost.For(pulse.Address!, workspace);
        using var raw = new HttpClient { BaseAddress = pulse.Address };
        await raw.PostAsync("/v1/declines", Json.Of(new { displayToken = "dt_spent" }));   // the bucket's one request this minute

        var error = Assert.ThrowsAsync<PulseApiException>(() => host.Client.DeclineAsync("dt_" + new string('0', 40)))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Status, Is.EqualTo(429));
            Assert.That(error.RetryAfter, Is.GreaterThan(TimeSpan.FromSeconds(5)));
            Assert.That(error.Detail, Does.Contain("Retry-After"));
            Assert.That(host.Attempts.All, Has.Count.EqualTo(1), "a wait longer than Pulse:MaxRetryAfter is left to the caller");
        }
    }

    [Test]
    public async Task A503_WhileAnotherProcessHoldsTheDatabase_IsRetried_AndTheOptOutIsWritten()
    {
        var (pulse, workspace) = await StartAsync(new Dictionary<string, string?> { ["Storage:BusyTimeoutSeconds"] = "1" });
        using var server = pulse;
        using var host = ClientHost.For(pulse.Address!, workspace);
        var user = DueUser(pulse);
        using var other = new SqliteConnection($"Data Source={pulse.DatabasePath};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        var released = 0;
        host.Attempts.OnAnswer = attempt =>
        {
            if (attempt.Status == 503 && Interlocked.Exchange(ref released, 1) == 0)
            {
                using var rollback = other.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }
        };

        await host.Client.OptOutAsync(user.Id);
        var after = await host.Client.CheckEligibilityAsync(new EligibilityCheck(user));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(host.Attempts.All.Where(a => a.Path == "/v1/opt-outs").Select(a => a.Status), Is.EqualTo(new[] { 503, 204 }));
            Assert.That(host.Attempts.All[0].RetryAfter, Is.EqualTo(OneSecond));
            Assert.That(host.Attempts.WaitAfter(0), Is.GreaterThanOrEqualTo(WaitedOneSecond));
            Assert.That(after.Reason, Is.EqualTo(EligibilityReasons.OptedOut));
        }
    }

    [Test]
    public async Task A503_ThatLasts_IsRetriedMaxRetriesTimes_ThenThrown()
    {
        var (pulse, workspace) = await StartAsync(stopWriter: true);
        using var server = pulse;
        using var host = ClientHost.For(pulse.Address!, workspace, new Dictionary<string, string?> { ["Pulse:MaxRetries"] = "2" });

        var error = Assert.ThrowsAsync<PulseApiException>(() => host.Client.OptOutAsync("u-1"))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Status, Is.EqualTo(503));
            Assert.That(error.RetryAfter, Is.EqualTo(OneSecond));
            Assert.That(host.Attempts.All.Select(a => a.Status), Is.EqualTo(new[] { 503, 503, 503 }));
            Assert.That(host.Attempts.WaitAfter(0), Is.GreaterThanOrEqualTo(WaitedOneSecond));
            Assert.That(host.Attempts.WaitAfter(1), Is.GreaterThanOrEqualTo(WaitedOneSecond));
        }
    }

    [Test]
    public async Task Cancelling_DuringTheWaitForARetry_StopsTheCall()
    {
        var (pulse, workspace) = await StartAsync(stopWriter: true);
        using var server = pulse;
        using var host = ClientHost.For(pulse.Address!, workspace, new Dictionary<string, string?> { ["Pulse:MaxRetries"] = "10" });
        using var cancel = new CancellationTokenSource();
        host.Attempts.OnAnswer = _ => cancel.Cancel();

        var error = Assert.CatchAsync<OperationCanceledException>(() => host.Client.OptOutAsync("u-1", cancel.Token))!;

        Assert.That(error.CancellationToken, Is.EqualTo(cancel.Token));
        Assert.That(host.Attempts.All.Select(a => a.Status), Is.EqualTo(new[] { 503 }));
    }

    [Test]
    public async Task OtherErrors_AreNotRetried_SoAReservedDisplayIsNeverAskedForTwice()
    {
        var (pulse, workspace) = await StartAsync();
        using var server = pulse;
        using var host = ClientHost.For(pulse.Address!, workspace);

        Assert.ThrowsAsync<PulseApiException>(() => host.Client.CheckEligibilityAsync(new EligibilityCheck(new PulseUser(""))));
        var result = await host.Client.CheckEligibilityAsync(new EligibilityCheck(DueUser(pulse)));

        Assert.That(result.Eligible, Is.True);
        Assert.That(host.Attempts.All.Select(a => a.Status), Is.EqualTo(new[] { 400, 200 }));
    }
}
