using System.Net;
using System.Net.Sockets;
using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Webhooks;

/// <summary>
/// The SSRF guard switched on (<c>Webhooks:AllowInsecureTargets=false</c>, the production default).
/// Only loopback targets are used: the guard must refuse them, and a loopback listener proves no
/// connection is even attempted.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class WebhookGuardTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?>
        {
            ["Webhooks:AllowInsecureTargets"] = "false",
            ["Webhooks:PollInterval"] = "00:00:00.020",
        }, provider: provider);
        _ = _app.Server;
        _ws = _app.CreateWorkspace();
        _http = _app.SecretClient(_ws.SecretKey);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    [TestCase("http://127.0.0.1:8443/hook", "must use https")]
    [TestCase("https://127.0.0.1/hook", "loopback")]
    [TestCase("https://127.1/hook", "loopback")]
    [TestCase("https://2130706433/hook", "loopback")]
    [TestCase("https://[::1]/hook", "loopback")]
    [TestCase("https://[::ffff:127.0.0.1]/hook", "IPv4-mapped")]
    [TestCase("https://localhost/hook", "resolve to public addresses")]
    [TestCase("https://0.0.0.0/hook", "unspecified")]
    public async Task Register_InsecureOrNonPublicTarget_Is400ProblemNamingUrl(string url, string reason)
    {
        var problem = await (await _http.PostAsync("/v1/webhooks", Json.Of(new { url, events = new[] { "response.created" } }))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").GetProperty("url")[0].GetString(), Does.Contain(reason));
    }

    [Test]
    public async Task StoredNonPublicTargets_AreRefusedBeforeConnecting_NoConnectionIsEverAccepted()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref accepted);
            }
        });
        // Rows inserted straight into the database: registration would have refused every one.
        string[] urls =
        [
            $"https://127.0.0.1:{port}/hook",
            $"https://localhost:{port}/hook",
            $"https://[::ffff:127.0.0.1]:{port}/hook",
            $"http://127.0.0.1:{port}/hook",
        ];
        var ids = urls.Select(InsertWebhookRow).ToList();

        await Outbox.SaveResponseAsync(_app, _ws.WorkspaceId, RespondentFaker.Create(3).Generate(), 0, "hello");
        await Poll.UntilAsync(() => ids.All(id => State(id).Attempts >= 1), "an attempt for each stored target");

        stop.Cancel();
        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
            // The accept loop ends by cancellation.
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.Zero, "no connection reached the loopback listener");
            foreach (var id in ids)
            {
                var s = State(id);
                Assert.That(s.Status, Is.EqualTo("pending"));
                Assert.That(s.LastStatus, Is.Null);
                Assert.That(s.LastError, Does.StartWith("Refused before connecting"), id);
            }
            Assert.That(State(ids[1]).LastError, Does.Contain("'localhost' cannot be used").And.Not.Contain("127.0.0.1").And.Not.Contain("::1"),
                "the refusal names no resolved address (it would map the operator's network)");
            Assert.That(State(ids[2]).LastError, Does.Contain("IPv4-mapped"));
            Assert.That(State(ids[3]).LastError, Does.Contain("must use https"));
        }
    }

    string InsertWebhookRow(string url)
    {
        var id = "wh_" + Guid.NewGuid().ToString("n")[..16];
        using var c = _app.Db.Open();
        c.Execute("""
            INSERT INTO webhooks (id, workspace_id, url, events, format, secret, dashboard_base, created_at, updated_at)
            VALUES (@Id, @W, @Url, '["response.created"]', 'json', @Secret, 'http://localhost', 0, 0)
            """, new { Id = id, W = _ws.WorkspaceId, Url = url, Secret = WebhookSignature.NewSecret() });
        return id;
    }

    (string Status, long Attempts, long? LastStatus, string? LastError) State(string webhookId)
    {
        using var c = _app.Db.Open();
        return c.QuerySingle<(string, long, long?, string?)>(
            "SELECT status, attempts, last_status, last_error FROM webhook_deliveries WHERE webhook_id = @webhookId", new { webhookId });
    }
}

/// <summary>
/// How the guard explains a name it cannot use. DNS is replaced by a table here: asking a real
/// resolver for a name that does not exist would send a query off this machine.
/// </summary>
public sealed class WebhookHostNameTests
{
    static readonly Dictionary<string, Func<IPAddress[]>> Names = new()
    {
        ["nowhere.example"] = () => throw new SocketException((int)SocketError.HostNotFound),
        ["no-address.example"] = () => [],
        ["flaky.example"] = () => throw new SocketException((int)SocketError.TryAgain),
        ["intranet.example"] = () => [IPAddress.Parse("10.1.2.3")],
    };

    static Task<IPAddress[]> Resolve(string host, CancellationToken _) => Task.FromResult(Names[host]());

    PulseFactory _app = null!;
    HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Webhooks:AllowInsecureTargets"] = "false" },
            services: s => s.AddSingleton(sp => new WebhookTargetGuard(
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebhookOptions>>(), Resolve)));
        _ = _app.Server;
        _http = _app.SecretClient(_app.CreateWorkspace().SecretKey);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    async Task<string> UrlError(string host)
    {
        var body = new { url = $"https://{host}/hook", events = new[] { "response.created" } };
        var problem = await (await _http.PostAsync("/v1/webhooks", Json.Of(body))).AssertProblem(400);
        return problem.GetProperty("errors").GetProperty("url")[0].GetString()!;
    }

    [TestCase("nowhere.example")]
    [TestCase("no-address.example")]
    public async Task AHostThatDoesNotResolve_IsReportedAsSuch(string host)
    {
        var error = await UrlError(host);
        Assert.That(error, Is.EqualTo($"The host '{host}' does not resolve: DNS has no address for it. Check the host name in the URL."));
    }

    [Test]
    public async Task ADnsServerThatDoesNotAnswer_SaysToTryAgain() =>
        Assert.That(await UrlError("flaky.example"), Does.Contain("could not be resolved right now").And.Contain("try again"));

    [Test]
    public async Task AHostThatResolvesPrivately_KeepsTheOneMessage_WithoutTheAddress()
    {
        var error = await UrlError("intranet.example");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error, Is.EqualTo("The host 'intranet.example' cannot be used: webhooks may only reach hosts that resolve to public addresses."));
            Assert.That(error, Does.Not.Contain("10.1.2.3"));
        }
    }
}
