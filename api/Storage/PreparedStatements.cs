using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Pulse.Api.Storage;

/// <summary>
/// The one way Pulse keeps statements prepared. Microsoft.Data.Sqlite (and Dapper on top of it)
/// parses and plans the SQL of every new command, and for a short indexed statement that costs
/// more than running it; the library has no statement cache of its own. So the hot statements —
/// the writer's per-answer work and the reads of eligibility and display tokens, both on
/// long-lived connections (the writer's, <see cref="ReadPool"/>'s) — take their command from here:
/// one per SQL text per connection object, prepared on first use and kept as long as the
/// connection object lives. Parameters are bound by name, afresh on every use; a parameter the
/// SQL names and the caller did not bind fails the statement instead of reusing an old value.
/// Everything else runs through Dapper with named parameters on a short-lived connection.
/// On PostgreSQL each use gets a new command and the server-side preparation is Npgsql's (G7).
/// </summary>
public static class PreparedStatements
{
    static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Cache = new();

    /// <summary>
    /// The command for <paramref name="sql"/> (a constant) on this connection, enlisted in
    /// <paramref name="tx"/>, with no parameters bound: bind each with <see cref="Bind"/>, then execute
    /// it. Never dispose it (dispose its readers). One thread at a time per connection, as for the connection itself.
    /// </summary>
    public static DbCommand Prepared(this DbConnection connection, DbTransaction? tx, string sql)
    {
        if (connection is not SqliteConnection)
        {
            // Npgsql keeps prepared statements per physical connection by SQL text (Max Auto Prepare), whatever the
            // command object, so a new command costs no new preparation. A kept command would be wrong there: once
            // Npgsql has prepared it, it binds the parameter objects of the use that prepared it, not the ones added
            // after Parameters.Clear() (npgsql/npgsql#3850), and answers every later use with those old values (G7).
            var fresh = connection.CreateCommand();
            fresh.CommandText = sql;
            fresh.Transaction = tx;
            return fresh;
        }
        var commands = Cache.GetValue(connection, _ => new Dictionary<string, DbCommand>(StringComparer.Ordinal));
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }
        command.Transaction = tx;
        command.Parameters.Clear();
        return command;
    }

    /// <summary>
    /// Binds <paramref name="value"/> (null as SQL NULL) to the parameter <paramref name="name"/> and returns the command.
    /// A null is typed after <typeparamref name="T"/>, so PostgreSQL knows what <c>@Locale IS NULL</c> compares.
    /// </summary>
    public static DbCommand Bind<T>(this DbCommand command, string name, T value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        if (value is null)
        {
            var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            if (type == typeof(string))
                parameter.DbType = System.Data.DbType.String;
            else if (type == typeof(long) || type == typeof(int))
                parameter.DbType = System.Data.DbType.Int64;
            else if (type == typeof(double))
                parameter.DbType = System.Data.DbType.Double;
            else if (type == typeof(byte[]))
                parameter.DbType = System.Data.DbType.Binary;
        }
        parameter.Value = (object?)value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
