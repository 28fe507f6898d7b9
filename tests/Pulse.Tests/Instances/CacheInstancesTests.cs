using Dapper;
using Pulse.Api.Storage;
using Pulse.Tests.Support;
using Pulse.Tests.Webhooks;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Instances;

/// <summary>
/// Two API instances on one PostgreSQL database with caches that would keep a survey for an hour (a workspace for five minutes): a survey edit on
/// one instance reaches the other's next eligibility answer through LISTEN/NOTIFY, also after the listener's
/// connection was dropped (docs/decisions.md I2).
/// </summary>
[Category(TestCategories.Process)]
public sealed class CacheInstancesTests
{
    static readonly Dictionary<string, string?> Settings = new()
    {
        ["Surveys:CacheSeconds"] = "3600",
        ["Workspaces:CacheSeconds"] = "300",
    };

    static int UserCount;

    /// <summary>Asks <paramref name="http"/> about new users (no history) until the answer is <paramref name="eligible"/>.</summary>
    static async Task UntilEligibleIs(HttpClient http, PulseFactory app, bool eligible, string what)
    {
        var answer = await http.CheckUser(User($"u-{Interlocked.Increment(ref UserCount)}", app.Time.GetUtcNow()));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (answer.Eligible != eligible)
        {
            if (waited.Elapsed > Poll.HangGuard)
                Assert.Fail($"Still waiting for: {what} (last answer: {answer.Reason})");
            await Task.Delay(20);
            answer = await http.CheckUser(User($"u-{Interlocked.Increment(ref UserCount)}", app.Time.GetUtcNow()));
        }
        TestContext.Out.WriteLine($"{what}: after {waited.ElapsedMilliseconds} ms");
    }

    static async Task SetActive(HttpClient http, string surveyId, bool active) =>
        (await http.PutAsync($"/v1/surveys/{surveyId}", Json.Of(new { active }))).EnsureSuccessStatusCode();

    static long Listeners(PulseFactory app)
    {
        using var c = app.Db.Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = @N AND datname = current_database()",
            new { N = CacheNotifications.ListenerName });
    }

    [Test]
    public async Task SurveyEdit_OnOneInstance_ChangesTheNextEligibilityAnswerOnTheOther()
    {
        using var first = new PulseFactory(Settings, provider: StorageProvider.Postgres);
        using var second = new PulseFactory(Settings, time: first.Time, sameDatabaseAs: first);
        _ = first.Server;
        _ = second.Server;
        var ws = first.CreateWorkspace();
        using var a = first.SecretClient(ws.SecretKey);
        using var b = second.SecretClient(ws.SecretKey);
        var survey = DefaultSurveyId(first.Db, ws.WorkspaceId);
        await Poll.UntilAsync(() => Listeners(first) == 2, "both instances listening");
        // The second instance has the survey cached (for an hour).
        Assert.That((await b.CheckUser(User("u-warm", first.Time.GetUtcNow()))).Eligible, Is.True);

        await SetActive(a, survey, false);
        await UntilEligibleIs(b, first, false, "the pause seen by the other instance");

        // The listeners lose their connections (a database restart, a network cut); they reconnect and start over.
        using (var c = first.Db.Open())
            c.Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @N AND datname = current_database()",
                new { N = CacheNotifications.ListenerName });
        await Poll.UntilAsync(() => Listeners(first) == 2, "both listeners reconnected");
        Assert.That((await b.CheckUser(User("u-warm-2", first.Time.GetUtcNow()))).Eligible, Is.False, "cached again: still paused");

        await SetActive(a, survey, true);
        await UntilEligibleIs(b, first, true, "the resumption seen by the other instance after the reconnection");
    }
}
