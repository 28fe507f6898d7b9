using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Pulse.Api.Storage;

/// <summary>
/// Long-lived read connections that keep their prepared statements, for the hottest reads
/// (eligibility history, display-token lookups). Microsoft.Data.Sqlite prepares a statement every
/// time a new command runs, and for a short indexed query parsing and planning cost more than
/// executing; a <see cref="PooledReader"/> prepares each SQL text once per connection and reuses it.
/// Connections are idle between uses (no open read transaction), so they never hold back a WAL
/// checkpoint. Everything else keeps using <see cref="Db.Open"/> and Dapper.
/// </summary>
public sealed class ReadPool(Db db) : IDisposable
{
    readonly ConcurrentBag<PooledReader> _idle = [];
    readonly int _keep = Math.Max(4, Environment.ProcessorCount * 4);

    /// <summary>A reader for one unit of work; dispose it to give it back.</summary>
    public PooledReader Rent() => _idle.TryTake(out var reader) ? reader : new PooledReader(OpenSmallCache(), this);

    /// <summary>
    /// Hot reads touch a few index pages each; the operating system caches the file anyway, so each
    /// pooled connection keeps a small page cache (512 KiB instead of 2 MiB) to bound memory.
    /// </summary>
    SqliteConnection OpenSmallCache()
    {
        var connection = db.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size=-512";
        pragma.ExecuteNonQuery();
        return connection;
    }

    internal void Return(PooledReader reader)
    {
        if (_idle.Count < _keep)
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

/// <summary>A rented connection with a cache of prepared commands keyed by their SQL text.</summary>
public sealed class PooledReader : IDisposable
{
    readonly SqliteConnection _connection;
    readonly ReadPool _pool;
    readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    internal PooledReader(SqliteConnection connection, ReadPool pool)
    {
        _connection = connection;
        _pool = pool;
    }

    /// <summary>
    /// The prepared command for <paramref name="sql"/> with parameters named <paramref name="parameters"/>
    /// (in that order); set <c>Parameters[i].Value</c> and execute it. The SQL must be a constant.
    /// </summary>
    public SqliteCommand Command(string sql, params string[] parameters)
    {
        if (_commands.TryGetValue(sql, out var command))
            return command;
        command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        command.Prepare();
        _commands[sql] = command;
        return command;
    }

    public void Dispose() => _pool.Return(this);

    internal void Close()
    {
        foreach (var command in _commands.Values)
            command.Dispose();
        _connection.Dispose();
    }
}
