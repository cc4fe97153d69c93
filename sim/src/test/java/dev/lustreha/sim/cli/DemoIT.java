package dev.lustreha.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The README's main-job command, faster: the whole story, the role table and the mount command. */
class DemoIT {

    @Test
    void theDemoShowsBothHandoversTheRoleTableAndTheMountCommand() {
        Cli r = Cli.run("demo", "--speed", "100");
        assertEquals(0, r.code(), r.printed());
        String out = r.out();
        for (String expected : new String[] {
                "1/3  First boot", "2/3  An OSS server is terminated", "3/3  The MDS server hangs",
                "oss02  claimed by", "mds01  fence: force-stopping", "mds01  fenced: ",
                "  role    NID              server (owner)       state      epoch  volume",
                "mount -t lustre 10.0.1.10@tcp:/scratch /mnt/scratch",
                "no two servers ever held one"}) {
            assertTrue(out.contains(expected), "missing '" + expected + "'" + r.printed());
        }
        assertTrue(out.matches("(?s).*\n  oss02 +10\\.0\\.1\\.13@tcp +i-\\w+ +SERVING +2 .*"), r.printed());
        assertTrue(out.matches("(?s).*\n  mds01 +10\\.0\\.1\\.11@tcp +i-\\w+ +SERVING +2 .*"), r.printed());
        assertEquals("", r.err(), "nothing on standard error");
    }
}
