// Starts Kroxylicious' proxy (io.kroxylicious:kroxylicious-runtime) from a YAML configuration file, for the
// proxy benchmark: `java -cp '<libs>/*' bench/java/KroxyliciousLauncher.java <config.yaml>`. Prints one line,
// "kroxylicious started", once its listeners are bound, then runs until it is killed.
import io.kroxylicious.proxy.KafkaProxy;
import io.kroxylicious.proxy.config.ConfigParser;
import io.kroxylicious.proxy.config.Configuration;
import io.kroxylicious.proxy.internal.config.Features;
import java.nio.file.Files;
import java.nio.file.Path;

public final class KroxyliciousLauncher {
    public static void main(String[] args) throws Exception {
        ConfigParser parser = new ConfigParser();
        Configuration configuration = parser.parseConfiguration(Files.readString(Path.of(args[0])));
        try (KafkaProxy proxy = new KafkaProxy(parser, configuration, Features.defaultFeatures())) {
            proxy.startup();
            System.out.println("kroxylicious started");
            System.out.flush();
            proxy.block();
        }
    }
}
