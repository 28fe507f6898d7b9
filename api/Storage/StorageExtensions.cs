using Microsoft.Extensions.Options;

namespace Pulse.Api.Storage;

public static class StorageExtensions
{
    /// <summary>Database, migrations at start-up and the single writer.</summary>
    public static IHostApplicationBuilder AddPulseStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new Db(builder.Configuration.GetConnectionString("Pulse") ?? "", builder.Environment.ContentRootPath,
                storage.BusyTimeoutSeconds, (long)storage.WalSizeLimitMiB << 20, storage.Provider,
                (long)storage.SqliteMmapMiB << 20);
        });
        builder.Services.AddSingleton<DatabaseState>();
        builder.Services.AddSingleton<StorageHealth>();
        // Registered first so the schema is current before anything else starts.
        builder.Services.AddHostedService<MigrationService>();
        builder.Services.AddSingleton<WriteQueue>();
        builder.Services.AddSingleton<ReadPool>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WriteQueue>());
        builder.Services.AddSingleton<CacheNotifications>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CacheNotifications>());
        return builder;
    }
}

/// <summary>What <c>/readyz</c> reports: the database is open and at the latest migration.</summary>
public sealed class DatabaseState
{
    public bool Migrated { get; set; }
}

sealed class MigrationService(Db db, DatabaseState state, TimeProvider time, IOptions<StorageOptions> options, ILogger<MigrationService> log)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        using var connection = db.Open();
        Db.LimitMemory(connection, (long)options.Value.SqliteMemoryMiB << 20);
        var applied = Migrator.Apply(connection, time);
        log.LogInformation("Database {Path} at schema version {Version} ({Applied} migrations applied)",
            db.FilePath, Migrator.LatestVersion, applied);
        if (db.FileIsShared())
            log.LogWarning("The database {Path} can be read by other users; it holds secrets and personal data. Run: chmod 600 {Path}*",
                db.FilePath, db.FilePath);
        state.Migrated = true;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
