using System.Text.Json;
using Pulse.Api.Cli;
using Pulse.Api.Eligibility;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Eligibility;

/// <summary>Concurrent calls for one user reserve exactly one display: in one process, and across two processes on one file.</summary>
public sealed class EligibilityConcurrencyTests
{
    [Test]
    public async Task Eligibility_50ConcurrentCallsForOneUser_GiveExactlyOneEligible_AndOneDisplay()
    {
        using var app = new PulseFactory();
        var address = app.StartKestrel();
        var ws = app.CreateWorkspace("Tabs", ["https://app.acme.test"]);
        var body = new
        {
            siteKey = ws.SiteKey,
            user = User("u-tabs", app.Time.GetUtcNow()),
            userHash = Keys.UserHash(ws.IdentitySecret, "u-tabs"),
        };
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Add("Origin", "https://app.acme.test");

        using var start = new SemaphoreSlim(0);
        var calls = Enumerable.Range(0, 50).Select(async _ =>
        {
            await start.WaitAsync();
            return await http.Check(body);
        }).ToList();
        start.Release(50);
        var answers = await Task.WhenAll(calls);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Count(a => a.Eligible), Is.EqualTo(1));
            Assert.That(answers.Where(a => !a.Eligible).Select(a => a.Reason).Distinct(), Is.EqualTo(new[] { Reasons.ThrottledDisplay }));
            Assert.That(Displays(app.Db, ws.WorkspaceId, "u-tabs"), Is.EqualTo(1));
        }
    }

    [Test]
    [Category(TestCategories.Process)]
    public async Task Eligibility_TwoApiProcessesOnOneDatabase_ReserveOneDisplayPerUser()
    {
        using var dir = new TempDirectory();
        var db = dir.File("pulse.db");
        var output = new StringWriter();
        var code = PulseCli.Run(["workspaces", "create", "--name", "Twins", "--json"], output, TextWriter.Null, $"Data Source={db}", dir.Path);
        Assert.That(code, Is.Zero);
        var secretKey = JsonDocument.Parse(output.ToString()).RootElement.GetProperty("secretKey").GetString()!;

        using var one = await ApiProcess.StartAsync(db);
        using var two = await ApiProcess.StartAsync(db);
        using var toOne = new HttpClient { BaseAddress = one.Address };
        using var toTwo = new HttpClient { BaseAddress = two.Address };
        foreach (var client in new[] { toOne, toTwo })
            client.DefaultRequestHeaders.Authorization = new("Bearer", secretKey);

        var now = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, 10).Select(i => $"u-twin-{i}").ToList();
        using var start = new SemaphoreSlim(0);
        var calls = users.SelectMany(u => Enumerable.Range(0, 20).Select(async i =>
        {
            await start.WaitAsync();
            var answer = await (i % 2 == 0 ? toOne : toTwo).CheckUser(User(u, now));
            return (User: u, answer.Eligible);
        })).ToList();
        start.Release(calls.Count);
        var answers = await Task.WhenAll(calls);

        var eligiblePerUser = answers.GroupBy(a => a.User).ToDictionary(g => g.Key, g => g.Count(a => a.Eligible));
        var check = new Pulse.Api.Storage.Db($"Data Source={db}", dir.Path);
        var (_, displays) = Rows(check);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(eligiblePerUser.Values, Has.All.EqualTo(1), string.Join(", ", eligiblePerUser));
            Assert.That(displays, Is.EqualTo(users.Count));
        }
    }
}
