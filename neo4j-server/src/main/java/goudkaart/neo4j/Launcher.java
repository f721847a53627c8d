package goudkaart.neo4j;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a Neo4j Community DBMS (embedded API) with its Bolt connector, as a local server.
 *
 * <pre>
 *   java [jvm options] -jar goudkaart-neo4j-launcher.jar HOME_DIR CONFIG_FILE  &lt; password
 * </pre>
 *
 * <ul>
 *   <li>HOME_DIR is the Neo4j home: data/ and logs/ live below it.</li>
 *   <li>CONFIG_FILE is a neo4j.conf (5.x keys, strictly validated) with the Bolt address,
 *       authentication and memory settings.</li>
 *   <li>The first line of standard input is the password for user {@code neo4j}. It is set only
 *       while that user still has the factory password (a fresh DBMS), like
 *       {@code neo4j-admin dbms set-initial-password}; later starts keep the stored password.
 *       The password never appears on the command line.</li>
 * </ul>
 *
 * <p>Prints {@code GOUDKAART-NEO4J-READY} on stdout once the DBMS is up and the password is set,
 * then runs until SIGTERM/SIGINT, on which it shuts the DBMS down cleanly.
 */
public final class Launcher {
    static final String READY_MARKER = "GOUDKAART-NEO4J-READY";
    static final String USER = "neo4j";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -jar goudkaart-neo4j-launcher.jar HOME_DIR CONFIG_FILE < password");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path config = Path.of(args[1]).toAbsolutePath();
        if (!Files.isRegularFile(config)) {
            System.err.println("config file not found: " + config);
            System.exit(2);
        }
        String password = readPassword();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(config)
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Shutting down Neo4j ...");
            dbms.shutdown();
            System.out.println("Neo4j stopped.");
            System.out.flush();
            stopped.countDown();
        }, "neo4j-shutdown"));

        try {
            if (password != null) {
                setInitialPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
            }
        } catch (RuntimeException e) {
            System.err.println("Failed to set the initial password: " + e.getMessage());
            System.exit(1); // runs the shutdown hook
        }

        System.out.println(READY_MARKER);
        System.out.flush();
        stopped.await();
    }

    /** Reads the first line of stdin; null when stdin is empty or closed. */
    private static String readPassword() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        return (line == null || line.isEmpty()) ? null : line;
    }

    /**
     * Sets the password of user neo4j if it still requires a change (i.e. it has the factory
     * password). Embedded transactions run with full privileges, so no login is needed here.
     */
    private static void setInitialPassword(GraphDatabaseService system, String password) {
        boolean changeRequired;
        try (Transaction tx = system.beginTx();
                Result r = tx.execute("SHOW USERS YIELD user, passwordChangeRequired WHERE user = $user",
                        Map.of("user", USER))) {
            changeRequired = r.hasNext() && Boolean.TRUE.equals(r.next().get("passwordChangeRequired"));
            tx.commit();
        }
        if (!changeRequired) {
            System.out.println("Password of user '" + USER + "' already set; keeping it.");
            return;
        }
        try (Transaction tx = system.beginTx()) {
            tx.execute("ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password)).close();
            tx.commit();
        }
        System.out.println("Initial password of user '" + USER + "' set.");
    }
}
