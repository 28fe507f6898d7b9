using Dapper;
using Pulse.Api.Eligibility;
using Pulse.Api.Storage;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Eligibility;

/// <summary>
/// Two API instances (two writers) on one database, as behind a load balancer: eligibility reserves one
/// display per user however the calls for that user are spread over the instances (docs/decisions.md G8), and a
/// survey's daily cap holds however its users are spread over them (I3).
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class EligibilityInstancesTests(StorageProvider provider)
{
    [Test]
    public async Task Eligibility_ForTheSameUsersOnTwoInstancesAtOnce_ReservesOneDisplayPerUser()
    {
        var time = new FakeTimeProvider(PulseFactory.DefaultNow);
        using var first = new PulseFactory(time: time, provider: provider);
        using var second = new PulseFactory(time: time, sameDatabaseAs: first);
        var ws = first.CreateWorkspace();
        using var one = first.SecretClient(ws.SecretKey);
        using var other = second.SecretClient(ws.SecretKey);
        // Both instances warmed up (caches loaded, code compiled), so their writers overlap from the first round.
        await Task.WhenAll(one.CheckUser(User("u-warm-1", time.GetUtcNow())), other.CheckUser(User("u-warm-2", time.GetUtcNow())));
        var users = new List<string>();
        var answers = new List<(string User, EligibilityResponse Answer)>();
        for (var round = 0; round < 5; round++)
        {
            // Every user of the round is asked for six times at once, three times on each instance.
            var batch = Enumerable.Range(0, 40).Select(i => $"u-race-{round}-{i}").ToList();
            users.AddRange(batch);
            var calls = batch.SelectMany(u => new[] { one, other, one, other, one, other }.Select(client => (User: u, Client: client)));
            answers.AddRange(await Task.WhenAll(calls.Select(async call => (call.User, await call.Client.CheckUser(User(call.User, time.GetUtcNow()))))));
        }

        using var c = first.Db.Open();
        var displays = c.Query<(string UserId, long Count)>(
            "SELECT user_id, COUNT(*) FROM displays WHERE workspace_id = @W AND user_id LIKE 'u-race-%' GROUP BY user_id", new { W = ws.WorkspaceId })
            .ToDictionary(r => r.UserId, r => r.Count);
        var eligible = answers.Where(a => a.Answer.Eligible).GroupBy(a => a.User).ToDictionary(g => g.Key, g => (long)g.Count());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(displays, Is.EqualTo(users.ToDictionary(u => u, _ => 1L)), "one display per user");
            Assert.That(eligible, Is.EqualTo(users.ToDictionary(u => u, _ => 1L)), "one eligible answer per user");
            Assert.That(answers.Where(a => !a.Answer.Eligible).Select(a => a.Answer.Reason).Distinct(), Is.EqualTo(new[] { Reasons.ThrottledDisplay }));
        }
    }

    [Test]
    public async Task Eligibility_ForACappedSurveyOnTwoInstancesAtOnce_ShowsNoMoreThanTheCap()
    {
        const int cap = 2;
        var time = new FakeTimeProvider(PulseFactory.DefaultNow);
        using var first = new PulseFactory(time: time, provider: provider);
        using var second = new PulseFactory(time: time, sameDatabaseAs: first);
        var warm = first.CreateWorkspace("Warm");
        using (var w1 = first.SecretClient(warm.SecretKey))
        using (var w2 = second.SecretClient(warm.SecretKey))
            await Task.WhenAll(w1.CheckUser(User("u-warm-1", time.GetUtcNow())), w2.CheckUser(User("u-warm-2", time.GetUtcNow())));
        for (var round = 0; round < 5; round++)
        {
            var ws = first.CreateWorkspace($"Capped {round}");
            using var one = first.SecretClient(ws.SecretKey);
            using var other = second.SecretClient(ws.SecretKey);
            var survey = DefaultSurveyId(first.Db, ws.WorkspaceId);
            (await one.PutAsync($"/v1/surveys/{survey}", Json.Of(new { dailyCap = cap }))).EnsureSuccessStatusCode();

            // Forty users at once, each asked for once, half on each instance: every one is eligible but for the cap.
            var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? one : other).CheckUser(User($"u-cap-{i}", time.GetUtcNow()))));

            using var c = first.Db.Open();
            var displays = c.ExecuteScalar<long>("SELECT COUNT(*) FROM displays WHERE workspace_id = @W AND survey_id = @S", new { W = ws.WorkspaceId, S = survey });
            using (Assert.EnterMultipleScope())
            {
                Assert.That(displays, Is.EqualTo(cap), $"round {round}: displays of the capped survey");
                Assert.That(answers.Count(a => a.Eligible), Is.EqualTo(cap), $"round {round}: eligible answers");
                Assert.That(answers.Where(a => !a.Eligible).Select(a => a.Reason).Distinct(), Is.EqualTo(new[] { Reasons.DailyCap }));
            }
        }
    }
}
