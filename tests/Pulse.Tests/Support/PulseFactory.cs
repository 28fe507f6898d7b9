using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Tests.Support;

/// <summary>
/// The real API on a temporary SQLite file, with a clock the test moves. In-memory by default;
/// <see cref="StartKestrel"/> puts it on a real loopback port for browsers and load.
/// </summary>
public sealed class PulseFactory : WebApplicationFactory<Program>
{
    readonly Dictionary<string, string?> _settings;
    readonly TempDirectory? _ownDirectory;
    readonly PostgresDatabase? _postgres;
    readonly Action<IServiceCollection>? _services;
    readonly string _environment;

    /// <param name="services">Extra registrations, e.g. an <c>IWriteHook</c> that records what writers report.</param>
    /// <param name="environment">The host environment; <c>Development</c> for fixtures that use the demo workspace, which exists only there.</param>
    /// <param name="provider">The database: a temporary SQLite file, or a new database on the run's PostgreSQL server (<see cref="Postgres"/>),
    /// unless <paramref name="settings"/> name a <c>ConnectionStrings:Pulse</c> that the caller owns (one database across restarts).</param>
    /// <param name="sameDatabaseAs">Another instance whose database (and provider) this one shares, as a second API instance
    /// would; that instance owns the database and must be disposed last.</param>
    public PulseFactory(IDictionary<string, string?>? settings = null, string? databasePath = null, FakeTimeProvider? time = null,
        Action<IServiceCollection>? services = null, string environment = "Testing", StorageProvider provider = StorageProvider.Sqlite,
        PulseFactory? sameDatabaseAs = null)
    {
        if (sameDatabaseAs is not null)
        {
            provider = sameDatabaseAs.Provider;
            databasePath = sameDatabaseAs.DatabasePath;
        }
        _services = services;
        _environment = environment;
        if (databasePath is null)
        {
            _ownDirectory = new TempDirectory();
            databasePath = _ownDirectory.File("pulse.db");
        }
        DatabasePath = databasePath;
        Time = time ?? new FakeTimeProvider(DefaultNow);
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Pulse"] = $"Data Source={DatabasePath}",
            ["Storage:Provider"] = provider.ToString(),
            ["Demo:Enabled"] = "false",
            ["RateLimiting:PerClientPerMinute"] = "0",
            ["RateLimiting:PerSiteKeyPerSecond"] = "0",
            ["RateLimiting:PerEndUserPerMinute"] = "0",
            ["RateLimiting:PerSecretKeyPerSecond"] = "0",
            ["Webhooks:AllowInsecureTargets"] = "true",
            // Alerts leave at once unless a test asks for the merge window (the product's default is 2 minutes).
            ["Webhooks:MergeWindow"] = "00:00:00",
            // No management listener unless a test asks for one: appsettings.Development.json names a
            // fixed port, which test runs of other checkouts on the same machine would fight over.
            ["Operations:ManagementUrl"] = "",
        };
        Provider = provider;
        if (sameDatabaseAs is not null)
            _settings["ConnectionStrings:Pulse"] = sameDatabaseAs.ConnectionString;
        else if (provider == StorageProvider.Postgres && settings?.ContainsKey("ConnectionStrings:Pulse") != true)
        {
            _postgres = Postgres.CreateDatabase();
            _settings["ConnectionStrings:Pulse"] = _postgres.ConnectionString;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public StorageProvider Provider { get; }

    /// <summary>The <c>ConnectionStrings:Pulse</c> this instance runs with.</summary>
    public string ConnectionString => _settings["ConnectionStrings:Pulse"]!;

    public string DatabasePath { get; }

    /// <summary>Where <see cref="Time"/> starts unless a test gives its own clock.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The app's clock; tests move it (<c>Advance</c>, <c>AdjustTime</c>), so no test sleeps to wait for a throttle.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The base address of the real server after <see cref="StartKestrel"/>.</summary>
    public Uri? Address { get; private set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        // Host settings are visible while Program registers services (the telemetry exporters are
        // chosen there); app configuration, added last, still wins over appsettings.json.
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            _services?.Invoke(services);
        });
    }

    /// <summary>Serves on 127.0.0.1 with a free port (or <paramref name="port"/>, for settings that name the address); returns the base address.</summary>
    public Uri StartKestrel(int port = 0)
    {
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        Address = new Uri(addresses.Addresses.First());
        return Address;
    }

    public Db Db => Services.GetRequiredService<Db>();

    /// <summary>A workspace created straight in the database, as the CLI does.</summary>
    public CreatedWorkspace CreateWorkspace(string name = "Acme", IReadOnlyList<string>? origins = null, bool requireUserHash = true)
    {
        using var c = Db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var created = WorkspaceStore.Create(c, tx, new NewWorkspace(name, origins ?? ["https://app.acme.test"], RequireUserHash: requireUserHash),
            Time.GetUtcNow().ToUnixTimeMilliseconds(), Services.GetServices<IWorkspaceHook>());
        tx.Commit();
        return created;
    }

    /// <summary>A client that calls as the holder of <paramref name="secretKey"/>.</summary>
    public HttpClient SecretClient(string secretKey)
    {
        var client = Address is null ? CreateClient() : new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        return client;
    }

    /// <summary>A client that sends <c>Origin</c> like a browser on <paramref name="origin"/> would.</summary>
    public HttpClient BrowserClient(string origin = "https://app.acme.test")
    {
        var client = Address is null ? CreateClient() : new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Add("Origin", origin);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _ownDirectory?.Dispose();
            _postgres?.Dispose();
        }
    }
}

public static class HttpAssertions
{
    /// <summary>Asserts a problem+json answer with this status and returns its document.</summary>
    public static async Task<System.Text.Json.JsonElement> AssertProblem(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        }
        var doc = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.That(doc.GetProperty("status").GetInt32(), Is.EqualTo(status));
        return doc;
    }

    public static async Task<T> ReadJson<T>(this HttpResponseMessage response, int status = 200)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, Json.Options)!;
    }
}
