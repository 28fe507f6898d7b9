using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

/// <summary>
/// <c>/healthz</c> (the process answers) and <c>/readyz</c> (the database is open, migrated and
/// takes writes, and the main listener is serving), served on the management listener when <c>Operations:ManagementUrl</c> is set,
/// otherwise on the main one.
/// </summary>
public static class HealthEndpoints
{
    public static IResult Live() => TypedResults.Ok(new { status = "ok" });

    public static IResult Ready(IServiceProvider services)
    {
        var state = services.GetRequiredService<DatabaseState>();
        if (!state.Migrated)
            return NotReady("Migrations have not finished.");
        // The management listener starts first: ready only once the main listener takes requests.
        if (!services.GetRequiredService<StartupState>().Started)
            return NotReady("The server is starting.");
        if (services.GetRequiredService<StorageHealth>().DiskFull)
            return NotReady("Writes fail because the disk is full; free space on the database's disk. Pulse notices within seconds and reports ready again.");
        try
        {
            using var connection = services.GetRequiredService<Db>().Open();
            var version = Migrator.CurrentVersion(connection);
            return version == Migrator.LatestVersion
                ? TypedResults.Ok(new { status = "ready", schemaVersion = version })
                : NotReady($"Schema at {version}, expected {Migrator.LatestVersion}.");
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            services.GetRequiredService<ILogger<DatabaseState>>().LogWarning(ex, "Readiness check could not open the database");
            return NotReady("The database is unavailable; see the server log.");
        }
    }

    static IResult NotReady(string detail) => TypedResults.Problem(statusCode: 503, title: "Not ready", detail: detail);
}
