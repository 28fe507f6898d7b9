using System.Net.Http.Json;
using System.Text.Json;
using Pulse.Api.Cli;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class CliTests
{
    TempDirectory _dir = null!;
    string _db = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _db = _dir.File("cli.db");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = PulseCli.Run(args, stdout, stderr, $"Data Source={_db}", _dir.Path);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task WorkspacesCreateJson_PrintsKeysThatWorkAgainstTheRunningApi()
    {
        var (code, output, _) = Run("workspaces", "create", "--name", "Acme", "--origin", "https://app.acme.com", "--json");
        Assert.That(code, Is.Zero);
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(output, Json.Options)!;

        using var app = new PulseFactory(databasePath: _db);
        using var http = app.SecretClient(created.SecretKey);
        var workspace = await http.GetFromJsonAsync<WorkspaceResponse>("/v1/workspace", Json.Options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.SiteKey, Does.StartWith("pk_"));
            Assert.That(created.SecretKey, Does.StartWith("sk_"));
            Assert.That(created.IdentitySecret, Is.Not.Empty);
            Assert.That(workspace!.Id, Is.EqualTo(created.WorkspaceId));
            Assert.That(workspace.SiteKey, Is.EqualTo(created.SiteKey));
            Assert.That(workspace.AllowedOrigins, Is.EqualTo(new[] { "https://app.acme.com" }));
        }
    }

    [Test]
    public async Task KeysCreateAndRevoke_TakeEffectOnTheApi()
    {
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(Run("workspaces", "create", "--name", "K", "--json").Out, Json.Options)!;
        var added = JsonDocument.Parse(Run("keys", "create", "--workspace", created.WorkspaceId, "--json").Out).RootElement;
        var newKey = added.GetProperty("secretKey").GetString()!;

        using var app = new PulseFactory(databasePath: _db);
        using (var http = app.SecretClient(newKey))
            Assert.That((await http.GetAsync("/v1/workspace")).IsSuccessStatusCode, Is.True);

        var (code, _, _) = Run("keys", "revoke", "--workspace", created.WorkspaceId, "--key", added.GetProperty("keyId").GetString()!);
        Assert.That(code, Is.Zero);
        using (var http = app.SecretClient(newKey))
            await (await http.GetAsync("/v1/workspace")).AssertProblem(401);
        using (var http = app.SecretClient(created.SecretKey))
            Assert.That((await http.GetAsync("/v1/workspace")).IsSuccessStatusCode, Is.True);
    }

    [Test]
    public void IdentitySecretRotate_ReplacesTheSecret()
    {
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(Run("workspaces", "create", "--name", "R", "--json").Out, Json.Options)!;
        var before = DateTimeOffset.UtcNow;
        var answer = JsonDocument.Parse(Run("identity-secret", "rotate", "--workspace", created.WorkspaceId, "--json").Out).RootElement;
        var rotated = answer.GetProperty("identitySecret").GetString();
        var list = Run("workspaces", "list", "--json");
        string? previous;
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db}"))
            previous = Dapper.SqlMapper.ExecuteScalar<string>(c, "SELECT previous_identity_secret FROM workspaces WHERE id = @Id", new { Id = created.WorkspaceId });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated, Is.Not.EqualTo(created.IdentitySecret).And.StartsWith("ids_"));
            Assert.That(previous, Is.EqualTo(created.IdentitySecret), "the old secret keeps verifying for the window");
            Assert.That(answer.GetProperty("previousSecretExpiresAt").GetDateTimeOffset() - before,
                Is.InRange(TimeSpan.FromHours(23), TimeSpan.FromHours(25)));
            Assert.That(list.Code, Is.Zero);
            Assert.That(list.Out, Does.Contain(created.WorkspaceId).And.Not.Contain(rotated!));
        }
    }

    [TestCase("workspaces")]
    [TestCase("workspaces", "create")]
    [TestCase("workspaces", "create", "--name")]
    [TestCase("workspaces", "create", "--name", "X", "--origin", "not-an-origin")]
    [TestCase("workspaces", "create", "--name", "X", "--bogus")]
    [TestCase("keys", "revoke", "--workspace", "ws_missing", "--key", "k")]
    [TestCase("keys", "create")]
    [TestCase("frobnicate")]
    public void BadArguments_ExitNonZeroWithUsage(params string[] args)
    {
        var (code, _, err) = PulseCli.IsCommand(args) ? Run(args) : (2, "", "Usage");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("Usage"));
        }
    }

    [Test]
    [Category(TestCategories.Process)]
    public async Task RealProcess_WorkspacesCreate_ThenServe_KeysWork()
    {
        var (code, output, err) = await ApiProcess.RunCliAsync(_db, "workspaces", "create", "--name", "Proc", "--origin", "https://proc.test", "--json");
        Assert.That(code, Is.Zero, err);
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(output, Json.Options)!;

        using var api = await ApiProcess.StartAsync(_db);
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", created.SecretKey);
        var workspace = await http.GetFromJsonAsync<WorkspaceResponse>("/v1/workspace", Json.Options);
        Assert.That(workspace!.Name, Is.EqualTo("Proc"));

        var bad = await ApiProcess.RunCliAsync(_db, "workspaces", "create");
        Assert.That(bad.ExitCode, Is.EqualTo(2));
    }
}
