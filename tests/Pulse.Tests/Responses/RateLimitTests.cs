using System.Net;
using Pulse.Api.Operations;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Responses;

public sealed class RateLimitTests
{
    const string Origin = "https://app.acme.test";

    static PulseFactory Start(int perClientPerMinute, int perSiteKeyPerSecond) => new(new Dictionary<string, string?>
    {
        ["RateLimiting:PerClientPerMinute"] = perClientPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimiting:PerSiteKeyPerSecond"] = perSiteKeyPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    static Task<HttpResponseMessage> Respond(HttpClient http, string token) =>
        http.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 9 }));

    [Test]
    public async Task PerClient_OverTheLimit_Is429WithRetryAfter_AndCounted()
    {
        using var app = Start(perClientPerMinute: 3, perSiteKeyPerSecond: 0);
        _ = app.Server;
        using var metrics = new MetricsProbe(app);
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var http = app.BrowserClient(Origin);

        var codes = new List<int>();
        for (var i = 0; i < 5; i++)
            codes.Add((int)(await Respond(http, app.CreateDisplay(ws.WorkspaceId, $"u{i}").Token)).StatusCode);
        var refused = await Respond(http, app.CreateDisplay(ws.WorkspaceId, "u-last").Token);

        var doc = await refused.AssertProblem(429);
        using (Assert.EnterMultipleScope())
        {
            // A bucket of 3 refilled one every 20 s: the first three pass, the rest wait.
            Assert.That(codes, Is.EqualTo(new[] { 201, 201, 201, 429, 429 }));
            Assert.That(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture),
                Is.InRange(1, 60));
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("too many requests"));
            Assert.That(app.Count("responses"), Is.EqualTo(3));
            Assert.That(metrics.Sum("pulse.rate_limit.rejections", ("limit", "client")), Is.EqualTo(3));
        }
    }

    [Test]
    public async Task PerClient_OnOneOfFourInstances_AllowsAQuarterOfTheLimit()
    {
        // 12 a minute for the installation behind a load balancer spreading over four instances: 3 on this one.
        using var app = new PulseFactory(new Dictionary<string, string?>
        {
            ["RateLimiting:PerClientPerMinute"] = "12",
            ["RateLimiting:PerSiteKeyPerSecond"] = "0",
            ["RateLimiting:Instances"] = "4",
        });
        _ = app.Server;
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var http = app.BrowserClient(Origin);

        var codes = new List<int>();
        for (var i = 0; i < 5; i++)
            codes.Add((int)(await Respond(http, app.CreateDisplay(ws.WorkspaceId, $"u{i}").Token)).StatusCode);

        // A bucket of 3 refilled one every 20 s: the first three pass, the rest wait.
        Assert.That(codes, Is.EqualTo(new[] { 201, 201, 201, 429, 429 }));
    }

    [Test]
    public void Share_DividesEachLimitByTheInstances_RoundingUp_AndKeepsOffOff()
    {
        var options = new RateLimitingOptions { Instances = 3 };
        Assert.That(new[] { options.Share(600), options.Share(200), options.Share(1), options.Share(0) }, Is.EqualTo(new[] { 200, 67, 1, 0 }));
    }

    [Test]
    public async Task PerClient_PreflightsAndSecretKeyCallers_AreNotCounted()
    {
        using var app = Start(perClientPerMinute: 2, perSiteKeyPerSecond: 0);
        _ = app.Server;
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var browser = app.BrowserClient(Origin);
        using var server = app.SecretClient(ws.SecretKey);

        for (var i = 0; i < 5; i++)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/responses");
            preflight.Headers.Add("Origin", Origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            Assert.That((await browser.SendAsync(preflight)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }
        for (var i = 0; i < 5; i++)
            Assert.That((int)(await server.PostAsync("/v1/opt-outs", Json.Of(new { userId = $"s{i}" }))).StatusCode, Is.EqualTo(204));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)(await Respond(browser, app.CreateDisplay(ws.WorkspaceId, "a").Token)).StatusCode, Is.EqualTo(201));
            Assert.That((int)(await Respond(browser, app.CreateDisplay(ws.WorkspaceId, "b").Token)).StatusCode, Is.EqualTo(201));
        }
    }

    [Test]
    public async Task PerSiteKey_OverTheLimit_Is429ForThatWorkspaceOnly()
    {
        using var app = Start(perClientPerMinute: 0, perSiteKeyPerSecond: 2);
        _ = app.Server;
        using var metrics = new MetricsProbe(app);
        var busy = app.CreateWorkspace("Busy", [Origin]);
        var quiet = app.CreateWorkspace("Quiet", [Origin]);
        using var http = app.BrowserClient(Origin);
        var tokens = Enumerable.Range(0, 20).Select(i => app.CreateDisplay(busy.WorkspaceId, $"u{i}").Token).ToList();

        var answers = await Task.WhenAll(tokens.Select(t => Respond(http, t)));
        var other = await Respond(http, app.CreateDisplay(quiet.WorkspaceId, "q").Token);

        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(refused, Is.Not.Empty, "20 answers at once must exceed 2 per second");
        await refused[0].AssertProblem(429);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused[0].Headers.GetValues("Retry-After").Single(), Is.EqualTo("1"));
            Assert.That(app.Count("responses"), Is.EqualTo(20 - refused.Count + 1));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(metrics.Sum("pulse.rate_limit.rejections", ("limit", "site_key")), Is.EqualTo(refused.Count));
        }
    }

    [Test]
    public void PerSiteKey_IsCountedWhenAResolvedCallIsAdmitted()
    {
        using var app = Start(perClientPerMinute: 0, perSiteKeyPerSecond: 3);
        _ = app.Server;
        var ws = app.CreateWorkspace("Acme", [Origin]);
        var gate = app.Services.GetRequiredService<SiteKeyGate>();
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
        request.Headers.Origin = Origin;

        var outcomes = Enumerable.Range(0, 30).Select(_ =>
        {
            try
            {
                Assert.That(gate.TryResolve(ws.SiteKey, request, out var workspace, out var refused), Is.True, refused?.ProblemDetails.Detail);
                gate.Admit(workspace!, "u-1");
                return "ok";
            }
            catch (RateLimitedException)
            {
                return "limited";
            }
        }).ToList();

        Assert.That(outcomes, Does.Contain("limited"));
    }

    [Test]
    public async Task Limits_SetToZero_AreOff()
    {
        using var app = Start(perClientPerMinute: 0, perSiteKeyPerSecond: 0);
        _ = app.Server;
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var http = app.BrowserClient(Origin);
        var tokens = Enumerable.Range(0, 200).Select(i => app.CreateDisplay(ws.WorkspaceId, $"u{i}").Token).ToList();

        var answers = await Task.WhenAll(tokens.Select(t => Respond(http, t)));

        Assert.That(answers.Select(a => a.StatusCode).Distinct(), Is.EqualTo(new[] { HttpStatusCode.Created }));
    }

    static PulseFactory StartWith(params (string Key, int Value)[] limits) => new(limits.ToDictionary(
        l => "RateLimiting:" + l.Key, l => (string?)l.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Test]
    public async Task PerEndUser_OneUserWithAValidUserHash_CannotSpendTheWorkspaceBudgetOfTheOthers()
    {
        using var app = StartWith(("PerSiteKeyPerSecond", 10), ("PerEndUserPerMinute", 2));
        _ = app.Server;
        using var metrics = new MetricsProbe(app);
        var ws = app.CreateWorkspace("Acme", [Origin], requireUserHash: true);
        using var http = app.BrowserClient(Origin);
        Task<HttpResponseMessage> Check(string user) => http.PostAsync("/v1/eligibility", Json.Of(new
        {
            siteKey = ws.SiteKey,
            user = new { id = user, createdAt = app.Time.GetUtcNow().AddDays(-1) },
            userHash = Keys.UserHash(ws.IdentitySecret, user),
        }));

        var noisy = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Check("noisy")));
        var others = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Check($"quiet-{i}")));

        var refused = noisy.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        var doc = await refused[0].AssertProblem(429);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(noisy.Count(a => a.StatusCode == HttpStatusCode.OK), Is.EqualTo(2), "a bucket of 2 per user, refilled every 30 s");
            Assert.That(refused[0].Headers.RetryAfter, Is.Not.Null);
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("This user has made too many requests"));
            Assert.That(others.Select(a => (int)a.StatusCode), Is.All.EqualTo(200), "the other users still get answers");
            Assert.That(metrics.Sum("pulse.rate_limit.rejections", ("limit", "end_user")), Is.EqualTo(38));
            Assert.That(metrics.Sum("pulse.rate_limit.rejections", ("limit", "site_key")), Is.Zero);
        }
    }

    [Test]
    public async Task PerEndUser_OneDisplayTokenHammered_LeavesTheOtherUsersAnswering()
    {
        using var app = StartWith(("PerSiteKeyPerSecond", 10), ("PerEndUserPerMinute", 2));
        _ = app.Server;
        var ws = app.CreateWorkspace("Acme", [Origin]);
        using var http = app.BrowserClient(Origin);
        var token = app.CreateDisplay(ws.WorkspaceId, "noisy").Token;
        var quiet = Enumerable.Range(0, 4).Select(i => app.CreateDisplay(ws.WorkspaceId, $"quiet-{i}").Token).ToList();

        var noisy = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Respond(http, token)));
        var others = await Task.WhenAll(quiet.Select(t => Respond(http, t)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(noisy.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests), Is.EqualTo(38));
            Assert.That(others.Select(a => (int)a.StatusCode), Is.All.EqualTo(201));
        }
    }

    [Test]
    public async Task PerSecretKey_OverTheLimit_Is429WithRetryAfter_ForThatKeyOnly()
    {
        using var app = StartWith(("PerSecretKeyPerSecond", 3));
        _ = app.Server;
        using var metrics = new MetricsProbe(app);
        var ws = app.CreateWorkspace("Acme");
        var other = app.CreateWorkspace("Other");
        using var busy = app.SecretClient(ws.SecretKey);
        using var quiet = app.SecretClient(other.SecretKey);

        // Reads, server-side eligibility and opt-outs at once: every way a secret key is checked counts.
        var reads = Enumerable.Range(0, 20).Select(_ => busy.GetAsync("/v1/workspace")).ToList();
        var checks = Enumerable.Range(0, 20).Select(i => busy.PostAsync("/v1/eligibility", Json.Of(new { user = new { id = $"u{i}" } }))).ToList();
        var optOuts = Enumerable.Range(0, 20).Select(i => busy.PostAsync("/v1/opt-outs", Json.Of(new { userId = $"o{i}" }))).ToList();
        var all = await Task.WhenAll(reads.Concat(checks).Concat(optOuts));
        var otherKey = await quiet.GetAsync("/v1/workspace");

        static bool Refused(Task<HttpResponseMessage> t) => t.Result.StatusCode == HttpStatusCode.TooManyRequests;
        var refused = all.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(refused, Is.Not.Empty, "60 calls at once must exceed 3 per second");
        var doc = await refused[0].AssertProblem(429);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused[0].Headers.GetValues("Retry-After").Single(), Is.EqualTo("1"));
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("This secret key has made too many requests"));
            Assert.That(reads.Count(Refused), Is.Positive);
            Assert.That(checks.Count(Refused), Is.Positive, "server-side eligibility counts against the key too");
            Assert.That(optOuts.Count(Refused), Is.Positive);
            Assert.That(all.Select(a => (int)a.StatusCode), Is.All.AnyOf(200, 204, 429));
            Assert.That((int)otherKey.StatusCode, Is.EqualTo(200));
            Assert.That(metrics.Sum("pulse.rate_limit.rejections", ("limit", "secret_key")), Is.EqualTo(refused.Count));
        }
    }

    [TestCase("RateLimiting:PerClientPerMinute", "-1")]
    [TestCase("RateLimiting:PerSiteKeyPerSecond", "-5")]
    [TestCase("RateLimiting:PerSiteKeyPerSecond", "lots")]
    [TestCase("RateLimiting:PerEndUserPerMinute", "-1")]
    [TestCase("RateLimiting:PerSecretKeyPerSecond", "-1")]
    public void Options_Invalid_StopTheStart(string key, string value)
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { [key] = value });
        Assert.That(() => app.Server, Throws.Exception);
    }

    [TestCase("203.0.113.7", "203.0.113.7")]
    [TestCase("::ffff:203.0.113.7", "203.0.113.7")]
    [TestCase("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [TestCase("2001:db8:1:2:1111:2222:3333:4444", "2001:db8:1:2::/64")]
    public void ClientKey_GroupsIpv6ByItsSlash64(string address, string key) =>
        Assert.That(RateLimitingExtensions.ClientKey(IPAddress.Parse(address)), Is.EqualTo(key));
}
