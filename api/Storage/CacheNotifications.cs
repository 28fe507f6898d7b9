using System.Collections.Concurrent;
using Npgsql;

namespace Pulse.Api.Storage;

/// <summary>
/// Cache invalidation across the instances that share a PostgreSQL database (docs/decisions.md I2). A cache that
/// drops an entry after this instance's change <see cref="Publish"/>es it (<c>pg_notify</c> on <see cref="Channel"/>);
/// every instance listens on a connection of its own and hands each other instance's message to the evict action
/// <see cref="Subscribe"/>d for its topic, milliseconds after the change committed. A listener that loses its
/// connection reconnects (after a second, then again every second) and evicts everything, since it may have missed
/// messages meanwhile. SQLite runs one process per file: nothing is published or listened for.
/// </summary>
public sealed class CacheNotifications(Db db, ILogger<CacheNotifications> log) : BackgroundService
{
    /// <summary>The NOTIFY channel.</summary>
    public const string Channel = "pulse_cache";

    /// <summary>The listener's <c>application_name</c> in <c>pg_stat_activity</c>.</summary>
    public const string ListenerName = "pulse cache listener";

    static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    readonly ConcurrentDictionary<string, Action<string?>> _topics = new(StringComparer.Ordinal);

    /// <summary>
    /// What to evict when another instance changes <paramref name="topic"/>: the key it published, or null for
    /// everything (after the listener reconnected).
    /// </summary>
    public void Subscribe(string topic, Action<string?> evict) => _topics[topic] = evict;

    /// <summary>
    /// Tells the other instances that <paramref name="key"/> of <paramref name="topic"/> changed; call after the change
    /// committed. A failure is logged, not thrown: the change is saved, and the other instances' cache lifetimes bound
    /// how long they may serve the old value.
    /// </summary>
    public void Publish(string topic, string key)
    {
        if (db.IsSqlite)
            return;
        try
        {
            using var c = db.Open();
            using var command = c.CreateCommand();
            command.CommandText = "SELECT pg_notify(@Channel, @Payload)";
            command.Parameters.Add(new NpgsqlParameter("Channel", Channel));
            command.Parameters.Add(new NpgsqlParameter("Payload", $"{db.InstanceId}\n{topic}\n{key}"));
            command.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            log.LogWarning(ex, "Could not tell the other instances that {Topic} {Key} changed; they see it when their cached copy expires", topic, key);
        }
    }

    void Receive(string payload)
    {
        var parts = payload.Split('\n', 3);
        // This instance evicted its own copy when it published.
        if (parts.Length != 3 || parts[0] == db.InstanceId)
            return;
        if (_topics.TryGetValue(parts[1], out var evict))
            evict(parts[2]);
    }

    void EvictAll()
    {
        foreach (var evict in _topics.Values)
            evict(null);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.IsSqlite)
            return;
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = db.OpenListener(ListenerName);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                if (lost)
                {
                    // Messages sent while no one listened are gone: start every cache over.
                    EvictAll();
                    log.LogInformation("Cache listener reconnected; caches evicted");
                    lost = false;
                }
                while (true)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                EvictAll();
                if (!lost)
                    log.LogWarning(ex, "Cache listener lost its connection; reconnecting every {Delay}", ReconnectDelay);
                lost = true;
            }
            try
            {
                await Task.Delay(ReconnectDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
