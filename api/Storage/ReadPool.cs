using System.Collections.Concurrent;
using System.Data.Common;

namespace Pulse.Api.Storage;

/// <summary>
/// Long-lived read connections for the hottest reads (eligibility history, display-token lookups):
/// their statements stay prepared (<see cref="PreparedStatements"/> keeps them per connection
/// object, and a pooled <see cref="Db.Open"/> connection object lives for one request only).
/// Connections are idle between uses (no open read transaction), so they never hold back a WAL
/// checkpoint. Everything else keeps using <see cref="Db.Open"/> and Dapper.
/// </summary>
public sealed class ReadPool(Db db) : IDisposable
{
    readonly ConcurrentBag<PooledReader> _idle = [];
    readonly int _keep = Math.Max(4, Environment.ProcessorCount * 4);

    /// <summary>A reader for one unit of work; dispose it to give it back.</summary>
    public PooledReader Rent()
    {
        while (_idle.TryTake(out var reader))
        {
            // A reader from before the database was last found unreachable may hold a connection the server ended (MG6).
            if (reader.Outages == db.Outages && reader.Connection.State == System.Data.ConnectionState.Open)
                return reader;
            reader.Close();
        }
        var outages = db.Outages;
        return new PooledReader(OpenSmallCache(), this, outages);
    }

    /// <summary>
    /// Hot reads touch a few index pages each; the operating system caches the file anyway, so each
    /// pooled connection keeps a small page cache (512 KiB instead of 2 MiB) to bound memory (and, from
    /// <see cref="Db.Open"/>, maps nothing: decisions MM1).
    /// </summary>
    DbConnection OpenSmallCache()
    {
        var connection = db.Open();
        if (!db.IsSqlite)
            return connection;
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size=-512";
        pragma.ExecuteNonQuery();
        return connection;
    }

    internal void Return(PooledReader reader)
    {
        if (_idle.Count < _keep && reader.Connection.State == System.Data.ConnectionState.Open)
            _idle.Add(reader);
        else
            reader.Close();
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var reader))
            reader.Close();
    }
}

/// <summary>A rented long-lived connection: use <see cref="Connection"/> with <see cref="PreparedStatements.Prepared"/>.</summary>
public sealed class PooledReader : IDisposable
{
    readonly ReadPool _pool;

    internal PooledReader(DbConnection connection, ReadPool pool, long outages)
    {
        Connection = connection;
        _pool = pool;
        Outages = outages;
    }

    /// <summary><see cref="Db.Outages"/> when the connection was opened.</summary>
    internal long Outages { get; }

    public DbConnection Connection { get; }

    public void Dispose() => _pool.Return(this);

    internal void Close() => Connection.Dispose();
}
