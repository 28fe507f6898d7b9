using System.Diagnostics;
using Dapper;
using Npgsql;
using Pulse.Api.Storage;

namespace Pulse.Bench;

/// <summary>
/// Where the API under test keeps its data: the SQLite file the scenario seeded (<c>--provider sqlite</c>, the
/// default), or a PostgreSQL database holding a copy of it made with <see cref="DataMigration"/>
/// (<c>--provider postgres</c>). The PostgreSQL server is <c>--postgres &lt;connection string&gt;</c>, or a throwaway
/// cluster on a free loopback port started from Debian's binaries as the <c>postgres</c> user and deleted at the end.
/// </summary>
sealed class Store : IDisposable
{
    readonly PostgresCluster? _cluster;
    readonly string? _server;

    Store(PostgresCluster? cluster, string? server)
    {
        _cluster = cluster;
        _server = server;
    }

    public bool IsPostgres => _server is not null;

    public string Name => IsPostgres ? "postgres" : "sqlite";

    public static Store Open(BenchOptions options, string work)
    {
        if (options.Provider != "postgres")
            return new Store(null, null);
        if (options.Postgres is { Length: > 0 } given)
            return new Store(null, given);
        var cluster = PostgresCluster.Start(Path.Combine(work, "postgres"));
        return new Store(cluster, cluster.ConnectionString);
    }

    /// <summary>A new empty PostgreSQL database; null on SQLite.</summary>
    public string? NewDatabase()
    {
        if (_server is null)
            return null;
        var name = "pulse_bench_" + Guid.NewGuid().ToString("n");
        using (var admin = new NpgsqlConnection(_server))
        {
            admin.Open();
            admin.Execute($"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0");
        }
        return new NpgsqlConnectionStringBuilder(_server) { Database = name }.ConnectionString;
    }

    /// <summary>A new PostgreSQL database holding everything of the seeded SQLite <paramref name="db"/>; null on SQLite.</summary>
    public string? CopyOf(Db db)
    {
        var target = NewDatabase();
        if (target is null)
            return null;
        var clock = Stopwatch.StartNew();
        DataMigration.Run(db.FilePath, target, new DataMigrationOptions(false, 5000), TimeProvider.System, TextWriter.Null);
        Console.WriteLine($"   copied {Path.GetFileName(db.FilePath)} to PostgreSQL in {clock.Elapsed.TotalSeconds:F0} s");
        return target;
    }

    /// <summary>The API on <paramref name="postgres"/> when given, else on the SQLite file <paramref name="sqliteFile"/>.</summary>
    public static Task<ServerProcess> StartApiAsync(string sqliteFile, string? postgres, IDictionary<string, string>? settings = null, int? managementPort = null)
    {
        if (postgres is null)
            return ServerProcess.StartApiAsync(sqliteFile, settings, managementPort);
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Storage:Provider"] = "postgres",
            ["ConnectionStrings:Pulse"] = postgres,
        };
        return ServerProcess.StartApiAsync(sqliteFile, all, managementPort);
    }

    /// <summary>One number from the database the API wrote to: <paramref name="postgres"/> when given, else <paramref name="db"/>.</summary>
    public static T Scalar<T>(Db db, string? postgres, string sql, object? param = null)
    {
        var target = postgres is null ? db : new Db(postgres, ".", provider: StorageProvider.Postgres);
        using var c = target.Open();
        return c.ExecuteScalar<T>(sql, param)!;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        _cluster?.Stop();
    }
}

/// <summary>A throwaway PostgreSQL cluster (fsync and synchronous_commit on, as in production) for one bench run.</summary>
sealed class PostgresCluster
{
    readonly string _bin;
    readonly string _folder;

    PostgresCluster(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=30;Command Timeout=600";
    }

    public string ConnectionString { get; }

    string Data => Path.Combine(_folder, "data");

    public static PostgresCluster Start(string folder)
    {
        var bin = (Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending(StringComparer.Ordinal).FirstOrDefault()
            : null)
            ?? throw new InvalidOperationException("--provider postgres needs PostgreSQL: 'apt-get install postgresql', or name a server with --postgres <connection string>.");
        Directory.CreateDirectory(folder);
        Exec("chown", "postgres", folder);
        var port = ServerProcess.FreePort();
        var cluster = new PostgresCluster(bin, folder, port);
        cluster.AsPostgres("initdb", "-D", cluster.Data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        File.AppendAllText(Path.Combine(cluster.Data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {port}
            unix_socket_directories = '{folder}'
            fsync = on
            synchronous_commit = on
            max_connections = 500
            shared_buffers = 256MB
            log_min_duration_statement = 200
            """);
        cluster.AsPostgres("pg_ctl", "-D", cluster.Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start");
        Console.WriteLine($"bench: PostgreSQL cluster on 127.0.0.1:{port} ({bin})");
        return cluster;
    }

    public void Stop()
    {
        try
        {
            AsPostgres("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");
        }
        catch (InvalidOperationException ex)
        {
            Console.WriteLine($"bench: stopping PostgreSQL: {ex.Message}");
        }
    }

    void AsPostgres(string program, params string[] args) => Exec("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. args]);

    static void Exec(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {output.Result}{error.Result}");
    }
}
