using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Pulse.Api.Storage;

/// <summary>
/// Statements prepared once per connection, for the writer's per-answer work. Microsoft.Data.Sqlite
/// (and Dapper on top of it) parses and plans the SQL of every new command; on the writer's
/// long-lived connection a command kept per SQL text skips that on every later use. The cache lives
/// as long as the connection object does.
/// </summary>
public static class PreparedStatements
{
    static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Cache = new();

    /// <summary>
    /// The command for <paramref name="sql"/> (a constant) on this connection, with parameters named
    /// <paramref name="parameters"/> in order, enlisted in <paramref name="tx"/>; set
    /// <c>Parameters[i].Value</c> and execute it. One thread at a time per connection, as for the connection itself.
    /// </summary>
    public static SqliteCommand Prepared(this SqliteConnection connection, SqliteTransaction? tx, string sql, params string[] parameters)
    {
        var commands = Cache.GetValue(connection, _ => new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            commands[sql] = command;
        }
        command.Transaction = tx;
        return command;
    }

    /// <summary>Sets the parameters in order (null as SQL NULL) and returns the command.</summary>
    public static SqliteCommand With(this SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command;
    }
}
