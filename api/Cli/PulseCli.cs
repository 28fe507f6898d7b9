using System.Data.Common;
using System.Text.Json;
using Pulse.Api.Access;
using Pulse.Api.Dashboard;
using Pulse.Api.Operations;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Cli;

/// <summary>
/// Administration from the same program: <c>dotnet run --project api -- workspaces create …</c>.
/// Writes go straight to the database in one transaction each; a running API sees them at once.
/// </summary>
public static class PulseCli
{
    public const string Usage = """
        Usage: Pulse.Api <command> [options]

          (no command)                              start the API server
          workspaces create --name <name> [--origin <origin>]... [--product-name <name>]
                            [--no-user-hash] [--json]
                                                    create a workspace; prints its keys once
          workspaces list [--json]                  list workspaces (no secrets)
          keys create --workspace <id> [--scope full|read] [--json]
                                                    add a secret key (scope full by default; read:
                                                    analytics, responses, exports, no writes);
                                                    prints it once
          keys list --workspace <id> [--json]       list secret keys (hints only)
          keys revoke --workspace <id> --key <keyId>
                                                    revoke a secret key at once
          members invite --workspace <id> --email <email> --role owner|admin|analyst|viewer
                         [--url <base url>] [--json]
                                                    invite a person; prints a one-time link (7 days)
          members list --workspace <id> [--json]    members, roles and pending invitations
          members set-role --workspace <id> --email <email> --role <role>
                                                    change a member's role (not the last owner's)
          members remove --workspace <id> --email <email>
                                                    remove a member (not the last owner) and end
                                                    their sessions in the workspace
          members reset-password --email <email> [--url <base url>] [--json]
                                                    prints a one-time link (7 days) to set a new
                                                    password; signs the member out everywhere
          identity-secret rotate --workspace <id> [--json]
                                                    new identity secret; old userHashes keep working
                                                    for 24 hours, then stop
          seed [--responses <n>] [--seed <n>] [--reset]
                                                    fill the demo workspace (ws_demo, created when
                                                    missing) with a year of demo users, surveys shown,
                                                    responses, comments and dismissals (default 5000
                                                    responses); does nothing when already seeded
                                                    unless --reset, which erases the earlier demo
                                                    data; Development only
          migrate-data --from <sqlite file> --to <postgres connection string> [--replace]
                       [--batch-size <n>]
                                                    copy a whole installation from SQLite to
                                                    PostgreSQL: the target's schema first, then every
                                                    table with its ids, in one transaction that commits
                                                    only when rows per table and NPS per survey are
                                                    equal on both sides; refuses a target that holds
                                                    data unless --replace (which empties it first);
                                                    progress on stderr; exit 1 when nothing was copied
          help                                      this text

        Options for every command (except migrate-data, which names both databases):
          --db <path>        SQLite file (default: ConnectionStrings:Pulse, else data/pulse.db)

        Origins are like https://app.acme.com, https://*.acme.com or http://localhost:*.
        Links use --url, else Authentication:PublicUrl, else http://localhost:5080.
        """;

    static readonly string[] HelpWords = ["help", "--help", "-h"];

    static readonly (string Command, string Verb)[] Commands =
    [
        ("workspaces", "create"), ("workspaces", "list"), ("keys", "create"), ("keys", "list"), ("keys", "revoke"),
        ("identity-secret", "rotate"), ("members", "invite"), ("members", "list"), ("members", "set-role"), ("members", "remove"),
        ("members", "reset-password"),
    ];

    /// <summary>
    /// Whether these arguments are for the command line rather than the server: any first word
    /// that is not an option (so a misspelt command prints the usage instead of starting a
    /// server), and help. Only no arguments, or options alone (<c>--urls …</c>, <c>--Storage:MaxBatchSize=256</c>,
    /// <c>Key=value</c>), start the server; <c>seed</c> is a host command.
    /// </summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && !IsHostCommand(args) && (HelpWords.Contains(args[0]) || !IsServerOption(args[0]));

    static bool IsServerOption(string arg) =>
        arg.StartsWith('-') || arg.StartsWith('/') || arg.Contains('=', StringComparison.Ordinal);

    /// <summary>
    /// Commands that need the composed application — its stores and every feature's write hooks —
    /// rather than a bare database: Program builds the host as for serving, then runs the command
    /// with <see cref="RunHostCommandAsync"/> instead of serving.
    /// </summary>
    public static bool IsHostCommand(string[] args) => args.Length > 0 && args[0] == "seed";

    /// <summary>
    /// The arguments the host is built with: the server's as they are; for a host command, only
    /// <c>--db</c> (as the connection string), so its own options are not read as configuration.
    /// </summary>
    public static string[] HostArgs(string[] args)
    {
        if (!IsHostCommand(args))
            return WithoutConfigReload(args);
        try
        {
            return WithoutConfigReload(CliArgs.Parse(args.Skip(1)).Value("db") is { } path
                ? [$"--ConnectionStrings:Pulse=Data Source={Path.GetFullPath(path)}"]
                : []);
        }
        catch (CliException)
        {
            return WithoutConfigReload([]); // RunHostCommandAsync reports the bad arguments with the usage
        }
    }

    /// <summary>The host setting that turns reloading appsettings on a file change on or off.</summary>
    public const string ReloadConfigKey = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// Configuration is read once, at start (docs/decisions.md H13): unless the operator set
    /// <c>hostBuilder:reloadConfigOnChange</c> (argument, or <c>DOTNET_hostBuilder__reloadConfigOnChange</c>),
    /// the host is told not to watch its files. The watch covers the content root and everything under it,
    /// the SQLite file and its WAL included, so every write of the database woke a watcher thread:
    /// 12–16 % of the API's CPU per answer under the ingestion load.
    /// </summary>
    public static string[] WithoutConfigReload(string[] args)
    {
        var key = ReloadConfigKey.Replace(":", "__", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("DOTNET_" + key) is not null
            || Environment.GetEnvironmentVariable("ASPNETCORE_" + key) is not null
            || args.Any(a => a.Contains(ReloadConfigKey, StringComparison.OrdinalIgnoreCase)))
            return args;
        return [.. args, $"--{ReloadConfigKey}=false"];
    }

    /// <summary>Runs a host command (<c>seed</c>) with the built application's services; returns the exit code.</summary>
    public static async Task<int> RunHostCommandAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var options = CliArgs.Parse(args.Skip(1));
            var environment = services.GetRequiredService<IHostEnvironment>();
            if (!environment.IsDevelopment())
                throw new CliException($"'seed' fills the demo workspace, whose keys are published in the README; it runs only in Development, not in {environment.EnvironmentName}. " +
                    "Run it with dotnet run --project api -- seed (or ASPNETCORE_ENVIRONMENT=Development).");
            var seed = new SeedOptions(
                Responses: options.Int("responses", 5000, 0, 1_000_000),
                Seed: options.Int("seed", 8, 0, int.MaxValue),
                Reset: options.Flag("reset"));
            var db = services.GetRequiredService<Db>();
            using (var c = db.Open())
                Migrator.Apply(c, services.GetRequiredService<TimeProvider>());
            var writer = services.GetRequiredService<WriteQueue>();
            await writer.StartAsync(CancellationToken.None);
            SeedResult result;
            try
            {
                result = await services.GetRequiredService<DemoSeeder>().SeedAsync(seed, stdout.WriteLine);
            }
            finally
            {
                await writer.StopAsync(CancellationToken.None);
            }
            if (result.AlreadySeeded)
            {
                stdout.WriteLine($"The demo workspace {DemoWorkspace.Id} already has demo data ({result.Users} users); nothing was written.");
                stdout.WriteLine("Run 'seed --reset' to erase it and seed again.");
                return 0;
            }
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Format(inv,
                "Seeded the demo workspace {0} in {1}: {2:N0} users, {3:N0} surveys shown, {4:N0} responses ({5:N0} with a comment), {6:N0} dismissals.",
                DemoWorkspace.Id, db.FilePath, result.Users, result.Displays, result.Responses, result.Comments, result.Declines));
            stdout.WriteLine($"Open /dashboard on the running API and sign in as {DemoWorkspace.Owner.Email} with the password {DemoWorkspace.Owner.Password}.");
            return 0;
        }
        catch (CliException ex)
        {
            stderr.WriteLine("error: " + FreeText.Printable(ex.Message));
            stderr.WriteLine();
            stderr.WriteLine(Usage);
            return 2;
        }
    }

    /// <summary>
    /// Runs a command against the configured database (<c>Storage:Provider</c> and <c>ConnectionStrings:Pulse</c>, as the server
    /// reads them; <c>--db</c> names a SQLite file instead) and returns the process exit code.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string? connectionString = null, string? contentRoot = null,
        StorageProvider? provider = null)
    {
        try
        {
            if (HelpWords.Contains(args[0]))
            {
                stdout.WriteLine(Usage);
                return 0;
            }
            if (args[0] == MigrateDataCommand)
                return MigrateData(CliArgs.Parse(args.Skip(1)), stdout, stderr);
            var verb = args.Length > 1 ? args[1] : "";
            // Checked before anything is opened: a typo must not create a database.
            if (!Commands.Contains((args[0], verb)))
                throw new CliException(Commands.Any(c => c.Command == args[0])
                    ? $"Unknown command '{args[0]} {verb}'."
                    : $"Unknown command '{args[0]}'." + (Commands.Select(c => c.Command).FirstOrDefault(c =>
                        c.StartsWith(args[0], StringComparison.OrdinalIgnoreCase) || args[0].StartsWith(c, StringComparison.OrdinalIgnoreCase)) is { } near
                        ? $" Did you mean '{near}'?" : ""));
            var options = CliArgs.Parse(args.Skip(2));
            var db = OpenDatabase(options, connectionString, contentRoot, provider);
            var time = TimeProvider.System;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var json = options.Flag("json");
            return (args[0], verb) switch
            {
                ("workspaces", "create") => CreateWorkspace(db, options, now, json, stdout),
                ("workspaces", "list") => ListWorkspaces(db, json, stdout),
                ("keys", "create") => CreateKey(db, options, now, json, stdout),
                ("keys", "list") => ListKeys(db, options, json, stdout),
                ("keys", "revoke") => RevokeKey(db, options, now, stdout),
                ("identity-secret", "rotate") => RotateIdentitySecret(db, options, now, json, stdout),
                ("members", "invite") => InviteMember(db, options, now, json, stdout, contentRoot),
                ("members", "list") => ListMembers(db, options, now, json, stdout),
                ("members", "set-role") => SetMemberRole(db, options, now, stdout),
                ("members", "remove") => RemoveMember(db, options, now, stdout),
                ("members", "reset-password") => ResetMemberPassword(db, options, now, json, stdout, contentRoot),
                _ => throw new InvalidOperationException($"Command '{args[0]} {verb}' is listed but not handled."),
            };
        }
        catch (CliException ex)
        {
            stderr.WriteLine("error: " + FreeText.Printable(ex.Message));
            stderr.WriteLine();
            stderr.WriteLine(Usage);
            return 2;
        }
    }

    const string MigrateDataCommand = "migrate-data";

    /// <summary><c>migrate-data</c>: the copy to PostgreSQL (<see cref="DataMigration"/>); exit 1 when it could not be made (nothing changed).</summary>
    static int MigrateData(CliArgs options, TextWriter stdout, TextWriter stderr)
    {
        if (options.Value("db") is not null)
            throw new CliException("migrate-data reads the SQLite file from --from, not --db.");
        var from = options.Value("from") ?? throw new CliException("--from is required: the SQLite file, e.g. --from data/pulse.db.");
        var to = options.Value("to") ?? throw new CliException(
            "--to is required: an Npgsql connection string, e.g. --to \"Host=db.internal;Database=pulse;Username=pulse;Password=…\".");
        try
        {
            if (string.IsNullOrWhiteSpace(new Npgsql.NpgsqlConnectionStringBuilder(to).Host))
                throw new CliException("--to names no Host: an Npgsql connection string is like \"Host=db.internal;Database=pulse;Username=pulse;Password=…\".");
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--to is not an Npgsql connection string ({ex.Message}); it is like \"Host=db.internal;Database=pulse;Username=pulse;Password=…\" " +
                "(postgres:// URLs are not accepted).");
        }
        var batch = options.Int("batch-size", 5000, 1, 1_000_000);
        DataMigrationResult result;
        try
        {
            result = DataMigration.Run(from, to, new DataMigrationOptions(options.Flag("replace"), batch), TimeProvider.System, stderr);
        }
        catch (DataMigrationException ex)
        {
            stderr.WriteLine("error: " + FreeText.Printable(ex.Message));
            return 1;
        }
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        stdout.WriteLine($"Copied {Path.GetFullPath(from)} to {result.Target}{(result.Replaced ? " (replacing what it held)" : "")}; rows per table equal on both sides:");
        foreach (var table in result.Tables)
            stdout.WriteLine(string.Format(inv, "  {0,-24} {1,12:N0}", table.Table, table.Target));
        stdout.WriteLine("Not copied:");
        foreach (var (table, reason) in result.Skipped)
            stdout.WriteLine($"  {table}: {reason}");
        stdout.WriteLine(result.Surveys.Count == 0 ? "No answers yet." : "Answers per survey equal on both sides:");
        foreach (var survey in result.Surveys)
            stdout.WriteLine(FreeText.Printable(string.Format(inv, "  {0}  {1:N0} answers ({2}){3}", survey.SurveyId, survey.Answers, survey.Categories,
                survey.Nps is { } nps ? string.Format(inv, ", NPS {0:+0;-0;0}", nps) : "")));
        stdout.WriteLine("Start Pulse with Storage__Provider=postgres and ConnectionStrings__Pulse set to the same connection string.");
        return 0;
    }

    static Db OpenDatabase(CliArgs options, string? connectionString, string? contentRoot, StorageProvider? provider)
    {
        var root = contentRoot ?? Directory.GetCurrentDirectory();
        var path = options.Value("db");
        var cs = path is not null ? $"Data Source={path}" : connectionString ?? ConfiguredConnectionString(root);
        // The server's provider: a PostgreSQL installation is administered like a SQLite one (`--db` is always a SQLite file).
        var chosen = path is not null ? StorageProvider.Sqlite
            : provider ?? Configuration(root).GetValue("Storage:Provider", StorageProvider.Sqlite);
        var db = new Db(cs, root, provider: chosen);
        using var c = db.Open();
        Migrator.Apply(c, TimeProvider.System);
        return db;
    }

    static string ConfiguredConnectionString(string root) => Configuration(root).GetConnectionString("Pulse") ?? "";

    static IConfigurationRoot Configuration(string root) => new ConfigurationBuilder()
        .SetBasePath(root)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>
    /// What the server registers as <see cref="IWorkspaceHook"/>s (the CLI runs without the host):
    /// a workspace made here starts like one made by the server. A test compares the two lists.
    /// </summary>
    public static readonly IReadOnlyList<IWorkspaceHook> WorkspaceHooks = [new DemoOwner(), FirstSurvey.Hook];

    static int CreateWorkspace(Db db, CliArgs options, long now, bool json, TextWriter stdout)
    {
        var name = options.Value("name") ?? throw new CliException("--name is required.");
        if (name.Length is 0 or > 100)
            throw new CliException("--name must be 1 to 100 characters.");
        if (FreeText.HasControl(name))
            throw new CliException(FreeText.NoControl("--name"));
        var productName = options.Value("product-name");
        if (productName is { Length: 0 or > 100 })
            throw new CliException("--product-name must be 1 to 100 characters.");
        if (productName is not null && FreeText.HasControl(productName))
            throw new CliException(FreeText.NoControl("--product-name"));
        var origins = new List<string>();
        foreach (var origin in options.Values("origin"))
        {
            if (!OriginPattern.TryNormalize(origin, out var normalized, out var error))
                throw new CliException("--origin: " + error + ".");
            origins.Add(normalized);
        }
        var spec = new NewWorkspace(name, origins, productName, RequireUserHash: !options.Flag("no-user-hash"));
        var created = InTransaction(db, (c, tx) => WorkspaceStore.Create(c, tx, spec, now, WorkspaceHooks));
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(created, OperationsExtensions.Configure(new JsonSerializerOptions())));
            return 0;
        }
        stdout.WriteLine($"Created workspace {created.WorkspaceId} ({FreeText.Printable(name)}).");
        stdout.WriteLine();
        stdout.WriteLine($"  Site key (public, goes in the snippet):  {created.SiteKey}");
        stdout.WriteLine($"  Secret key (server-side only):           {created.SecretKey}");
        stdout.WriteLine($"  Identity secret (signs user ids):        {created.IdentitySecret}");
        stdout.WriteLine();
        stdout.WriteLine("The secret key is shown only now: store it in your secret manager.");
        if (origins.Count == 0)
            stdout.WriteLine("No allowed origins yet: add them with PUT /v1/workspace before using the snippet.");
        return 0;
    }

    static int ListWorkspaces(Db db, bool json, TextWriter stdout)
    {
        var list = new WorkspaceStore(db).List().Select(w => w.ToResponse()).ToList();
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(list, OperationsExtensions.Configure(new JsonSerializerOptions())));
            return 0;
        }
        if (list.Count == 0)
            stdout.WriteLine("No workspaces.");
        // Names come from the API and from older rows: printed escaped, they cannot drive the operator's terminal.
        foreach (var w in list)
            stdout.WriteLine(FreeText.Printable(
                $"{w.Id}  {w.Name}  site key {w.SiteKey}  origins: {(w.AllowedOrigins.Count == 0 ? "(none)" : string.Join(", ", w.AllowedOrigins))}"));
        return 0;
    }

    static int CreateKey(Db db, CliArgs options, long now, bool json, TextWriter stdout)
    {
        var workspaceId = RequireWorkspace(db, options);
        var scope = options.Value("scope") ?? KeyScopes.Full;
        if (!KeyScopes.All.Contains(scope))
            throw new CliException("--scope must be full (everything) or read (analytics, responses and exports; no writes).");
        var (keyId, key) = InTransaction(db, (c, tx) =>
        {
            var added = WorkspaceStore.AddKey(c, tx, workspaceId, now, scope: scope);
            Audit.Write(c, tx, Actor.Cli, workspaceId, "key.created", added.KeyId, now, after: new { id = added.KeyId, hint = Keys.Hint(added.SecretKey), scope });
            return added;
        });
        if (json)
            stdout.WriteLine(JsonSerializer.Serialize(new { workspaceId, keyId, secretKey = key, scope }));
        else
            stdout.WriteLine($"Created key {keyId} (scope {scope}): {key}\nShown only now: store it in your secret manager.");
        return 0;
    }

    static string RequireRole(CliArgs options) =>
        options.Value("role") is { } role && Roles.IsRole(role) ? role : throw new CliException($"--role must be one of {string.Join(", ", Roles.All)}.");

    static string RequireEmail(CliArgs options) =>
        options.Value("email") is { } email && MemberEndpoints.IsEmail(email) ? email : throw new CliException("--email must be an email address, e.g. dana@acme.com.");

    static string LinkBase(CliArgs options, string? contentRoot) =>
        (options.Value("url") ?? Configuration(contentRoot ?? Directory.GetCurrentDirectory())["Authentication:PublicUrl"] ?? "http://localhost:5080").TrimEnd('/');

    static int InviteMember(Db db, CliArgs options, long now, bool json, TextWriter stdout, string? contentRoot)
    {
        var workspaceId = RequireWorkspace(db, options);
        var email = RequireEmail(options);
        var role = RequireRole(options);
        var created = InTransaction(db, (c, tx) => Invitations.Invite(c, tx, Actor.Cli, workspaceId, email, role, now))
            ?? throw new CliException($"{email} is already a member of {workspaceId}; use 'members set-role' to change their role.");
        return PrintLink(Invitations.Describe(created.Invitation, MemberStore.Normalize(email), created.Token, LinkBase(options, contentRoot)), json, stdout,
            $"Invited {MemberStore.Normalize(email)} to {workspaceId} as {role}.");
    }

    static int PrintLink(InvitationResponse link, bool json, TextWriter stdout, string headline)
    {
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(link, OperationsExtensions.Configure(new JsonSerializerOptions())));
            return 0;
        }
        stdout.WriteLine(FreeText.Printable(headline));
        stdout.WriteLine($"Send them this link (works once, until {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC; shown only now):");
        stdout.WriteLine();
        stdout.WriteLine("  " + link.Link);
        return 0;
    }

    static int ListMembers(Db db, CliArgs options, long now, bool json, TextWriter stdout)
    {
        var workspaceId = RequireWorkspace(db, options);
        using var c = db.Open();
        var members = MembershipStore.List(c, null, workspaceId).Select(m => m.ToResponse()).ToList();
        var pending = InvitationStore.Pending(c, null, workspaceId, now);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { items = members, invitations = pending }, OperationsExtensions.Configure(new JsonSerializerOptions())));
            return 0;
        }
        if (members.Count == 0 && pending.Count == 0)
            stdout.WriteLine("No members yet: invite one with 'members invite'.");
        foreach (var m in members)
            stdout.WriteLine(FreeText.Printable($"{m.Id}  {m.Email}  {m.Role}  {m.Name ?? ""}"));
        foreach (var i in pending)
            stdout.WriteLine(FreeText.Printable($"(invited) {i.Email}  {i.Role}  until {Db.FromUnixMs(i.ExpiresAt):yyyy-MM-dd HH:mm} UTC"));
        return 0;
    }

    /// <summary>The member of this email in this workspace, or a usage error.</summary>
    static Membership RequireMembership(DbConnection c, DbTransaction tx, string workspaceId, string email) =>
        MemberStore.FindByEmail(c, tx, email) is { } member && MembershipStore.Find(c, tx, workspaceId, member.Id) is { } membership
            ? membership
            : throw new CliException($"{email} is not a member of {workspaceId}; 'members list' shows who is.");

    static int SetMemberRole(Db db, CliArgs options, long now, TextWriter stdout)
    {
        var workspaceId = RequireWorkspace(db, options);
        var email = RequireEmail(options);
        var role = RequireRole(options);
        InTransaction(db, (c, tx) =>
        {
            var current = RequireMembership(c, tx, workspaceId, email);
            if (MembershipStore.WouldLeaveNoOwner(c, tx, current, role))
                throw new CliException($"{email} is the last owner of {workspaceId}: make another member owner first.");
            MembershipStore.SetRole(c, tx, workspaceId, current.MemberId, role);
            Audit.Write(c, tx, Actor.Cli, workspaceId, "member.role_changed", current.MemberId, now,
                new { current.Email, current.Role }, new { current.Email, Role = role });
            return true;
        });
        stdout.WriteLine(FreeText.Printable($"{MemberStore.Normalize(email)} is now {role} in {workspaceId}."));
        return 0;
    }

    static int RemoveMember(Db db, CliArgs options, long now, TextWriter stdout)
    {
        var workspaceId = RequireWorkspace(db, options);
        var email = RequireEmail(options);
        InTransaction(db, (c, tx) =>
            Invitations.Remove(c, tx, Actor.Cli, workspaceId, RequireMembership(c, tx, workspaceId, email).MemberId, now) == MemberEndpoints.Outcome.LastOwner
                ? throw new CliException($"{email} is the last owner of {workspaceId}: make another member owner first.")
                : true);
        stdout.WriteLine(FreeText.Printable($"Removed {MemberStore.Normalize(email)} from {workspaceId}."));
        return 0;
    }

    static int ResetMemberPassword(Db db, CliArgs options, long now, bool json, TextWriter stdout, string? contentRoot)
    {
        var email = RequireEmail(options);
        var (invitation, token) = InTransaction(db, (c, tx) =>
        {
            var member = MemberStore.FindByEmail(c, tx, email) ?? throw new CliException($"There is no member {email}.");
            var link = InvitationStore.Create(c, tx, InvitationStore.Reset, member.Id, null, null, now);
            Audit.Write(c, tx, Actor.Cli, null, "member.password_reset_link", member.Id, now, after: new { member.Email });
            return link;
        });
        return PrintLink(Invitations.Describe(invitation, MemberStore.Normalize(email), token, LinkBase(options, contentRoot)), json, stdout,
            $"Password reset for {MemberStore.Normalize(email)}.");
    }

    static int ListKeys(Db db, CliArgs options, bool json, TextWriter stdout)
    {
        var workspaceId = RequireWorkspace(db, options);
        var keys = new WorkspaceStore(db).ListKeys(workspaceId);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(keys, OperationsExtensions.Configure(new JsonSerializerOptions())));
            return 0;
        }
        foreach (var k in keys)
            stdout.WriteLine(FreeText.Printable($"{k.Id}  {k.Hint}  {(k.RevokedAt is null ? "active" : "revoked")}"));
        return 0;
    }

    static int RevokeKey(Db db, CliArgs options, long now, TextWriter stdout)
    {
        var workspaceId = RequireWorkspace(db, options);
        var keyId = options.Value("key") ?? throw new CliException("--key is required (a key id from 'keys list').");
        if (!InTransaction(db, (c, tx) =>
            {
                var revoked = WorkspaceStore.Revoke(c, tx, workspaceId, keyId, now);
                if (revoked)
                    Audit.Write(c, tx, Actor.Cli, workspaceId, "key.revoked", keyId, now);
                return revoked;
            }))
            throw new CliException($"No active key '{keyId}' in workspace '{workspaceId}'.");
        stdout.WriteLine($"Revoked key {keyId}.");
        return 0;
    }

    static int RotateIdentitySecret(Db db, CliArgs options, long now, bool json, TextWriter stdout)
    {
        var workspaceId = RequireWorkspace(db, options);
        // The CLI does not read the server's options: it keeps the old secret for the default window.
        var until = DateTimeOffset.FromUnixTimeMilliseconds(now) + WorkspaceOptions.DefaultIdentitySecretRotationWindow;
        var secret = InTransaction(db, (c, tx) =>
        {
            var rotated = WorkspaceStore.RotateIdentitySecret(c, tx, workspaceId, now, until.ToUnixTimeMilliseconds());
            Audit.Write(c, tx, Actor.Cli, workspaceId, "identity_secret.rotated", workspaceId, now);
            return rotated;
        });
        if (json)
            stdout.WriteLine(JsonSerializer.Serialize(new { workspaceId, identitySecret = secret, previousSecretExpiresAt = until }));
        else
            stdout.WriteLine($"New identity secret for {workspaceId}: {secret}\nUpdate your backend: userHashes signed with the old secret " +
                $"are accepted until {until:yyyy-MM-dd HH:mm} UTC, then refused.");
        return 0;
    }

    static string RequireWorkspace(Db db, CliArgs options)
    {
        var id = options.Value("workspace") ?? throw new CliException("--workspace is required.");
        return new WorkspaceStore(db).Find(id)?.Id ?? throw new CliException($"No workspace '{id}'.");
    }

    static T InTransaction<T>(Db db, Func<DbConnection, DbTransaction, T> work)
    {
        using var c = db.OpenWriter();
        using var tx = c.BeginTransaction(deferred: false);
        var result = work(c, tx);
        tx.Commit();
        return result;
    }
}

/// <summary>A usage error: printed with the usage text, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message);

/// <summary><c>--name value</c>, repeated <c>--origin a --origin b</c>, and bare <c>--flags</c>.</summary>
sealed class CliArgs
{
    static readonly HashSet<string> FlagNames = ["json", "no-user-hash", "reset", "replace"];
    static readonly HashSet<string> ValueNames = ["name", "origin", "product-name", "workspace", "key", "db", "responses", "seed", "scope", "email", "role", "url",
        "from", "to", "batch-size"];
    readonly Dictionary<string, List<string>> _values = [];
    readonly HashSet<string> _flags = [];

    public static CliArgs Parse(IEnumerable<string> args)
    {
        var parsed = new CliArgs();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new CliException($"Unexpected argument '{arg}'.");
            var name = arg[2..];
            var eq = name.IndexOf('=');
            string? inline = null;
            if (eq > 0)
                (name, inline) = (name[..eq], name[(eq + 1)..]);
            if (FlagNames.Contains(name) && inline is null)
                parsed._flags.Add(name);
            else if (ValueNames.Contains(name))
            {
                var value = inline ?? (e.MoveNext() && !e.Current.StartsWith("--", StringComparison.Ordinal)
                    ? e.Current : throw new CliException($"--{name} needs a value."));
                if (!parsed._values.TryGetValue(name, out var list))
                    parsed._values[name] = list = [];
                list.Add(value);
            }
            else
                throw new CliException($"Unknown option '--{name}'.");
        }
        return parsed;
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public int Int(string name, int fallback, int min, int max)
    {
        if (Value(name) is not { } text)
            return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new CliException($"--{name} must be a whole number from {min} to {max}.");
    }
}
