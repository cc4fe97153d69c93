package dev.lustreha.pools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Pool custom resource's properties (template.yaml, Pool) as the provisioner reads them. */
class PoolSpecPropertiesTest {

    private static Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>();
        p.put("FileSystemName", "scratch");
        p.put("SubnetId", "subnet-0123456789abcdef0");
        p.put("SecurityGroupIds", List.of("sg-0123456789abcdef0"));
        p.put("MdsCount", "1");
        p.put("OssCount", "2");
        p.put("VolumesPerOss", "2");
        p.put("MgtVolumeSize", "1");
        p.put("MdtVolumeSize", "64");
        p.put("OstVolumeSize", "512");
        p.put("VolumeType", "gp3");
        p.put("VolumeIops", "3000");
        p.put("VolumeThroughput", "250");
        return p;
    }

    @Test
    void aVolumeKeyReachesEveryKindOfVolume() {
        Map<String, Object> p = properties();
        String key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        p.put("VolumeKmsKeyArn", key);
        PoolSpec spec = PoolProvisionerHandler.spec(p);
        assertEquals(key, spec.mgt().kmsKeyId());
        assertEquals(key, spec.mdt().kmsKeyId());
        assertEquals(key, spec.ost().kmsKeyId());
    }

    @Test
    void anEmptyOrMissingVolumeKeyMeansTheAwsManagedKey() {
        Map<String, Object> p = properties();
        assertNull(PoolProvisionerHandler.spec(p).ost().kmsKeyId(), "a stack from before the option");
        p.put("VolumeKmsKeyArn", "");
        assertNull(PoolProvisionerHandler.spec(p).ost().kmsKeyId(), "the template's default");
    }
}
