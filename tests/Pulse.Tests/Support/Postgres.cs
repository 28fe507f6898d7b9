using System.Diagnostics;
using Npgsql;

namespace Pulse.Tests.Support;

/// <summary>
/// A real PostgreSQL server for the tests of the <c>postgres</c> storage provider. <c>PULSE_TEST_POSTGRES</c>
/// (a connection string to a role that may create databases) names an existing server; otherwise the
/// first fixture that needs one starts a throwaway cluster from Debian's binaries (initdb into a folder
/// under the temp directory owned by the <c>postgres</c> user, a free loopback port, trust on loopback,
/// fsync on), which <see cref="Pulse.Tests.PostgresRun"/> stops and deletes when the run ends; a cluster left by a run
/// that crashed is stopped and deleted by the next run. Each fixture gets its own database
/// (<see cref="CreateDatabase"/>). Without PostgreSQL the fixture is skipped naming <see cref="InstallCommand"/>,
/// or fails when <c>PULSE_REQUIRE_POSTGRES=1</c> (CI). Starting the cluster starts processes: only from
/// fixtures in the Process category.
/// </summary>
public static class Postgres
{
    public const string InstallCommand = "apt-get install postgresql";

    /// <summary>Where the throwaway clusters live: one folder per run, named by the test process's id.</summary>
    static readonly string Root = Path.Combine(Path.GetTempPath(), "pulse-postgres");

    static readonly Lock Gate = new();
    static Cluster? RunCluster;
    static string? RunServer;

    static bool Required => Environment.GetEnvironmentVariable("PULSE_REQUIRE_POSTGRES") == "1";

    /// <summary>The newest <c>/usr/lib/postgresql/*/bin</c> with initdb, or null.</summary>
    static string? BinDirectory =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    /// <summary>A new empty database (dropped by disposing the result) on the run's server.</summary>
    public static PostgresDatabase CreateDatabase()
    {
        TestCategories.Require(TestCategories.Process);
        var server = Server();
        var name = "pulse_" + Guid.NewGuid().ToString("n");
        using (var admin = new NpgsqlConnection(server))
        {
            admin.Open();
            using var create = admin.CreateCommand();
            create.CommandText = $"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0";
            create.ExecuteNonQuery();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new PostgresDatabase(builder.ConnectionString, server, name);
    }

    /// <summary>The admin connection string of the run's server, started on first use.</summary>
    static string Server()
    {
        lock (Gate)
        {
            if (RunServer is not null)
                return RunServer;
            if (Environment.GetEnvironmentVariable("PULSE_TEST_POSTGRES") is { Length: > 0 } given)
                return RunServer = given;
            var bin = BinDirectory;
            if (bin is null || !OperatingSystem.IsLinux())
            {
                var message = $"PostgreSQL not found (no /usr/lib/postgresql/*/bin/initdb); install it with: {InstallCommand} " +
                    "(or set PULSE_TEST_POSTGRES to a connection string).";
                if (Required)
                    Assert.Fail(message);
                Assert.Ignore(message);
            }
            RemoveAbandoned(bin!);
            RunCluster = Cluster.Start(bin!, Path.Combine(Root, $"{Environment.ProcessId}-{Guid.NewGuid():n}"));
            // PostgresRun stops it after the last test; this covers a host that exits without tearing down.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            return RunServer = RunCluster.ConnectionString;
        }
    }

    /// <summary>Stops and deletes the run's cluster, if this run started one.</summary>
    internal static void Stop()
    {
        lock (Gate)
        {
            NpgsqlConnection.ClearAllPools();
            RunCluster?.Stop();
            RunCluster = null;
            RunServer = null;
        }
    }

    /// <summary>Clusters of runs whose process is gone (a crash, a killed test host): stopped and deleted.</summary>
    static void RemoveAbandoned(string bin)
    {
        if (!Directory.Exists(Root))
            return;
        foreach (var folder in Directory.GetDirectories(Root))
        {
            var owner = Path.GetFileName(folder).Split('-')[0];
            if (int.TryParse(owner, out var pid) && IsAlive(pid))
                continue;
            new Cluster(bin, folder, 0).Stop();
        }
    }

    static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    sealed class Cluster(string bin, string folder, int port)
    {
        string Data => Path.Combine(folder, "data");

        public string ConnectionString =>
            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Timeout=30;Command Timeout=120";

        public static Cluster Start(string bin, string folder)
        {
            Directory.CreateDirectory(folder);
            Run("chown", "postgres", folder);
            var port = ApiProcess.FreeLoopbackPort();
            var cluster = new Cluster(bin, folder, port);
            cluster.AsPostgres("initdb", "-D", cluster.Data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
            File.AppendAllText(Path.Combine(cluster.Data, "postgresql.conf"), $"""

                listen_addresses = '127.0.0.1'
                port = {port}
                unix_socket_directories = '{folder}'
                fsync = on
                synchronous_commit = on
                max_connections = 300
                """);
            cluster.AsPostgres("pg_ctl", "-D", cluster.Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start");
            return cluster;
        }

        /// <summary>Immediate shutdown (the data is thrown away), then the folder goes.</summary>
        public void Stop()
        {
            if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            {
                try
                {
                    AsPostgres("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");
                }
                catch (InvalidOperationException)
                {
                    // Not running any more (its process died with the machine): the folder still goes.
                }
            }
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        void AsPostgres(string program, params string[] args) =>
            Run("runuser", ["-u", "postgres", "--", Path.Combine(bin, program), .. args]);

        static void Run(string program, params string[] args)
        {
            var info = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var arg in args)
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}):\n{stdout.Result}{stderr.Result}");
        }
    }
}

/// <summary>One fixture's database; disposing it drops it (closing any connection still open to it).</summary>
public sealed class PostgresDatabase(string connectionString, string server, string name) : IDisposable
{
    public string ConnectionString { get; } = connectionString;

    public string Name { get; } = name;

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(server);
        admin.Open();
        using var drop = admin.CreateCommand();
        drop.CommandText = $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)";
        drop.ExecuteNonQuery();
    }
}
