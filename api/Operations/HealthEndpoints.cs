using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

/// <summary>What <c>/healthz</c> answers: <c>{"status":"ok"}</c>.</summary>
public sealed record HealthStatus(string Status);

/// <summary>What <c>/readyz</c> answers when ready: <c>{"status":"ready","schemaVersion":N}</c>.</summary>
public sealed record ReadyStatus(string Status, int SchemaVersion);

/// <summary>A health answer: 200 with <paramref name="Ok"/>, or 503 problem with <paramref name="NotReady"/> as its detail.</summary>
public sealed record HealthAnswer(object? Ok, string? NotReady)
{
    public int Status => NotReady is null ? 200 : 503;

    public IResult ToResult() => NotReady is null
        ? TypedResults.Ok(Ok)
        : TypedResults.Problem(statusCode: 503, title: HealthEndpoints.NotReadyTitle, detail: NotReady);
}

/// <summary>
/// <c>/healthz</c> (the process answers) and <c>/readyz</c> (the database is open, migrated and
/// takes writes, and the main listener is serving), served on the management listener when
/// <c>Operations:ManagementUrl</c> is set, otherwise on the main one. Pure reads: they run on
/// whatever thread asks, and never wait for the request queue.
/// </summary>
public static class HealthEndpoints
{
    public const string NotReadyTitle = "Not ready";

    public static HealthAnswer Live() => new(new HealthStatus("ok"), null);

    public static HealthAnswer Ready(IServiceProvider services)
    {
        var state = services.GetRequiredService<DatabaseState>();
        if (!state.Migrated)
            return new(null, "Migrations have not finished.");
        // The management listener starts first: ready only once the main listener takes requests.
        if (!services.GetRequiredService<StartupState>().Started)
            return new(null, "The server is starting.");
        if (services.GetRequiredService<StorageHealth>().DiskFull)
            return new(null, "Writes fail because the disk is full; free space on the database's disk. Pulse notices within seconds and reports ready again.");
        try
        {
            using var connection = services.GetRequiredService<Db>().Open();
            var version = Migrator.CurrentVersion(connection);
            return version == Migrator.LatestVersion
                ? new(new ReadyStatus("ready", version), null)
                : new(null, $"Schema at {version}, expected {Migrator.LatestVersion}.");
        }
        catch (System.Data.Common.DbException ex)
        {
            services.GetRequiredService<ILogger<DatabaseState>>().LogWarning(ex, "Readiness check could not open the database");
            // The next check (and every request) starts from fresh connections, so the instance is ready again as soon as the database is.
            if (StorageHealth.IsUnavailable(ex))
                services.GetRequiredService<Db>().ConnectionLost();
            return new(null, "The database is unavailable; see the server log.");
        }
    }
}
